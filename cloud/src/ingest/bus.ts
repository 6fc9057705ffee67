import type { Point } from '../timeseries/point.js'

// What ingest needs from MQTT: subscribe to the contract's topics and publish replies. The embedded
// broker implements it in process; an MQTT client against an external broker can implement it too.
export type MessageHandler = (topic: string, payload: Buffer) => void

export interface MessageBus {
  subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>>
  publish(topic: string, payload: string | Buffer, o: { qos: 0 | 1; retain: boolean }): Promise<void>
}

/** Where ingest records its time-series points; the TimeSeries feature implements it. */
export interface PointRecorder {
  record(point: Point): void
}
