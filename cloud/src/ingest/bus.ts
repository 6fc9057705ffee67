import type { Point } from '../timeseries/point.js'

// What ingest needs from MQTT: subscribe to the contract's topics and publish replies. The embedded
// broker implements it in process; an MQTT client against an external broker can implement it too.
export type MessageHandler = (topic: string, payload: Buffer) => void

/**
 * `share`: each message goes to one consumer of the group, not to every subscriber (ingest workers
 * splitting the events: an MQTT 5 shared subscription on an external broker, section 4.8.2; in an
 * Aedes cluster, the node the device is connected to).
 */
export interface SubscribeOptions {
  share?: boolean
}

export interface MessageBus {
  subscribe(filter: string, handler: MessageHandler, o?: SubscribeOptions): Promise<() => Promise<void>>
  publish(topic: string, payload: string | Buffer, o: { qos: 0 | 1; retain: boolean }): Promise<void>
}

/** Where ingest records its time-series points; the TimeSeries feature implements it. */
export interface PointRecorder {
  record(point: Point): void
}
