// A recorded capture played back: a JSON-lines file of { t, address, rssi, hex } records, t being the
// offset (ms) from the start of the capture and hex the raw advertising data. Paced on an injected clock
// (fake in tests), in file order, optionally looping; each record is heard at its offset after start.
// A bad line is skipped with a warning naming it: one damaged record does not end a replay.
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { type Clock, realClock } from './clock.js'
import { BeaconError } from './errors.js'
import { BaseAdvertisementSource } from './status.js'
import type { AdvertisementSource } from './types.js'

export interface ReplayRecord {
  t: number
  address: string
  rssi: number
  hex: string
}

export interface ReplayOptions {
  file: string
  loop: boolean
}

export interface ReplayDeps {
  clock?: Clock
  /** The file's text, for tests that do not write one. */
  read?: (file: string) => string
}

const HEX = /^(?:[0-9a-fA-F]{2}){1,31}$/

/** Parses a capture; returns the records in time order and the problems of lines that were left out. */
export function parseReplay(text: string): { records: ReplayRecord[]; problems: string[] } {
  const records: ReplayRecord[] = []
  const problems: string[] = []
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    let r: Partial<ReplayRecord>
    try {
      r = JSON.parse(line) as Partial<ReplayRecord>
    } catch {
      problems.push(`line ${i + 1}: not JSON`)
      return
    }
    if (typeof r.t !== 'number' || !(r.t >= 0)) problems.push(`line ${i + 1}: t: expected ms >= 0`)
    else if (typeof r.address !== 'string' || r.address === '')
      problems.push(`line ${i + 1}: address: expected a string`)
    else if (typeof r.rssi !== 'number' || r.rssi < -127 || r.rssi > 20)
      problems.push(`line ${i + 1}: rssi: expected dBm -127..20`)
    else if (typeof r.hex !== 'string' || !HEX.test(r.hex))
      problems.push(`line ${i + 1}: hex: expected 1 to 31 bytes of hex`)
    else records.push({ t: r.t, address: r.address, rssi: r.rssi, hex: r.hex })
  })
  // Stable sort: records of the same instant keep their file order.
  records.sort((a, b) => a.t - b.t)
  return { records, problems }
}

export class ReplayAdvertisementSource extends BaseAdvertisementSource implements AdvertisementSource {
  private readonly clock: Clock
  private records: ReplayRecord[] = []
  private data: Uint8Array[] = []
  private next = 0
  private startedAt = 0
  private timer: unknown
  /** Records played since start, loops included. */
  played = 0

  constructor(
    id: string,
    private readonly options: ReplayOptions,
    log: Logger,
    private readonly deps: ReplayDeps = {},
  ) {
    super(id, log, 'beacon-replay')
    this.clock = deps.clock ?? realClock
  }

  /** Throws BeaconError (beacon_replay_unreadable) when the file cannot be read. */
  async start(): Promise<void> {
    if (this.running) return
    let text: string
    try {
      text = (this.deps.read ?? ((f) => readFileSync(f, 'utf8')))(this.options.file)
    } catch (err) {
      throw new BeaconError('beacon_replay_unreadable', `${this.options.file}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const { records, problems } = parseReplay(text)
    for (const p of problems) this.log.warn({ code: 'beacon_replay_record', file: this.options.file }, p)
    this.records = records
    this.data = records.map((r) => Uint8Array.from(Buffer.from(r.hex, 'hex')))
    this.running = true
    this.next = 0
    this.startedAt = this.clock.now()
    this.setStatus({ state: 'attached', detail: `replay of ${records.length} records` }, true)
    this.schedule()
  }

  async stop(): Promise<void> {
    this.running = false
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    if (!this.running) return
    if (this.next >= this.records.length) {
      if (!this.options.loop || this.records.length === 0) {
        this.setStatus({ state: 'detached', detail: 'replay ended' })
        return
      }
      // The next loop starts one record gap after the last (the gap from the last to the first record
      // would be zero otherwise, and the last and first records heard at once).
      const last = this.records[this.records.length - 1]!.t
      this.startedAt += last + Math.max(1, this.records.length > 1 ? last / this.records.length : 1000)
      this.next = 0
    }
    const due = this.startedAt + this.records[this.next]!.t
    this.timer = this.clock.setTimeout(() => this.play(), Math.max(0, due - this.clock.now()))
  }

  private play(): void {
    if (!this.running) return
    const now = this.clock.now()
    // Everything due by now, in order: a slow event loop catches up instead of drifting.
    while (
      this.running &&
      this.next < this.records.length &&
      this.startedAt + this.records[this.next]!.t <= now
    ) {
      const r = this.records[this.next]!
      const data = this.data[this.next]!
      this.next++
      this.played++
      this.emit('advertisement', { address: r.address, rssi: r.rssi, data, at: this.startedAt + r.t })
    }
    this.schedule()
  }
}
