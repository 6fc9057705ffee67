// Picks the back end from the configuration: InfluxDB when RELAIS_INFLUX_URL is set, else the embedded
// SQLite file beside the relational store.
import type { CloudConfig } from '../app/config.js'
import type { Logger } from '../lib/logger.js'
import { InfluxSink } from './influx-sink.js'
import type { SeriesSink } from './sink.js'
import { SqliteSink } from './sqlite-sink.js'
import { TimeSeries } from './time-series.js'

type SinkConfig = Pick<CloudConfig, 'influx' | 'dataDir'> & Partial<Pick<CloudConfig, 'healthHistory'>>

/** Without `healthHistory`, health is neither downsampled nor given a retention of its own. */
export function createSink(config: SinkConfig, log: Logger): SeriesSink {
  const h = config.healthHistory
  if (config.influx !== undefined)
    return new InfluxSink({ ...config.influx, downsampleRetention: h?.downsampleRetention, log })
  const healthRollup =
    h === undefined
      ? undefined
      : { rawRetentionMs: h.rawRetentionMs, rolledRetentionMs: h.downsampleRetentionMs }
  return new SqliteSink({ dataDir: config.dataDir, log, healthRollup })
}

/** The TimeSeries feature the composition root starts, with the sink the configuration asks for. */
export function createTimeSeries(
  config: SinkConfig & Pick<CloudConfig, 'timeseries'>,
  log: Logger,
): TimeSeries {
  return new TimeSeries({ sink: createSink(config, log), log, ...config.timeseries })
}
