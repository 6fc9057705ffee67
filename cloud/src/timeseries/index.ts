// The time-series pipeline: what ingest records (points), where they go (sinks), and how charts read them.
//
//   const series = createTimeSeries(config, log)        // a Feature: the composition root starts/stops it
//   series.record({ measurement: 'scan', tags: { household, agent, device, outcome },
//                   fields: { count: 1, latency_ms }, ts, ints: SCAN_INTS })   // SCAN_INTS = ['count']
//   series.stats()                                      // buffered, written, dropped, ... for ops health
//   series.query({ measurement: 'health', from, to, fields: ['battery'],
//                  downsample: { everyMs: 300_000, agg: 'mean', groupBy: ['agent'] } })
//
// record() never blocks or throws. Number fields are floats unless named in `ints` (see point.ts).
export { RingBuffer } from './buffer.js'
export { createSink, createTimeSeries } from './create.js'
export { InfluxSink, type InfluxSinkOptions } from './influx-sink.js'
export type { TimeSeriesOptions, TimeSeriesStats } from './options.js'
export { type FieldValue, invalidReason, type Point } from './point.js'
export {
  AGGREGATES,
  type Aggregate,
  checkQuery,
  QUERY_LIMIT_MAX,
  type SeriesDelete,
  type SeriesQuery,
  type SeriesRow,
  type SeriesSink,
  SinkRejectedError,
} from './sink.js'
export { DAY_MS, SqliteSink, type SqliteSinkOptions } from './sqlite-sink.js'
export { TimeSeries } from './time-series.js'
