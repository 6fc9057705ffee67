// Picks the back end from the configuration: InfluxDB when RELAIS_INFLUX_URL is set, else the embedded
// SQLite file beside the relational store.
import type { CloudConfig } from '../app/config.js'
import type { Logger } from '../lib/logger.js'
import { InfluxSink } from './influx-sink.js'
import type { SeriesSink } from './sink.js'
import { SqliteSink } from './sqlite-sink.js'
import { TimeSeries } from './time-series.js'

export function createSink(config: Pick<CloudConfig, 'influx' | 'dataDir'>, log: Logger): SeriesSink {
  if (config.influx !== undefined) return new InfluxSink({ ...config.influx, log })
  return new SqliteSink({ dataDir: config.dataDir, log })
}

/** The TimeSeries feature the composition root starts, with the sink the configuration asks for. */
export function createTimeSeries(
  config: Pick<CloudConfig, 'influx' | 'dataDir' | 'timeseries'>,
  log: Logger,
): TimeSeries {
  return new TimeSeries({ sink: createSink(config, log), log, ...config.timeseries })
}
