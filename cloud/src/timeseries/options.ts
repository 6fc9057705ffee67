// The TimeSeries feature's options and the figures it reports (ops health page, logs at stop).

import type { BackoffOptions } from '@relais/hardware'
import type { Logger } from '../lib/logger.js'
import type { SeriesSink } from './sink.js'

export interface TimeSeriesOptions {
  sink: SeriesSink
  log: Logger
  /** Points held at most (waiting plus being written); past it the oldest waiting point is dropped. */
  bufferMax: number
  /** Points per write; kept below bufferMax so new points always have room. */
  batchMax: number
  /** Pause between flushes when fewer than batchMax points wait. */
  flushIntervalMs: number
  /** Delays between failed writes; default 500 ms doubling to 30 s, jittered. */
  backoff?: BackoffOptions
  /** A write still pending after this long counts as failed and its batch is retried; default 30 s. */
  writeTimeoutMs?: number
  /** How long stop() may spend on a final flush; default 2 s. */
  stopDeadlineMs?: number
}

export interface TimeSeriesStats {
  /** Waiting plus being written. */
  buffered: number
  written: number
  /** Every point lost, whatever the reason (full buffer, refused, left at stop). */
  dropped: number
  /** The part of `dropped` that was invalid or refused by the store. */
  rejected: number
  failedWrites: number
  lastError?: string
  /** Epoch ms of the last successful write. */
  lastFlushAt?: number
}
