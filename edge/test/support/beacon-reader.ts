// A beacon reader feature on its own: a real outbox in a temp dir, a link and a sender that only record,
// and a simulated source. For the privacy and allow-list tests, which look at what is stored and sent.
import { EventEmitter } from 'node:events'
import type { Envelope } from '@relais/hardware'
import pino from 'pino'
import { SimulatedAdvertisementSource } from '../../src/drivers/beacon/simulated.js'
import { BeaconReaderFeature } from '../../src/features/beacon/reader.js'
import type { TrackerOptions } from '../../src/features/beacon/tracker.js'
import type { MqttLink } from '../../src/link/mqtt-link.js'
import { Session } from '../../src/link/session.js'
import { Outbox } from '../../src/outbox/outbox.js'
import type { OutboxSender } from '../../src/outbox/sender.js'

export class RecordingLink extends EventEmitter {
  connected = true
  readonly published: Array<{ topic: string; message: Envelope; qos: number; retain: boolean }> = []
  async publish(topic: string, payload: string, o: { qos: 0 | 1; retain: boolean }): Promise<boolean> {
    this.published.push({ topic, message: JSON.parse(payload) as Envelope, ...o })
    return true
  }
}

export class IdleSender extends EventEmitter {
  pumps = 0
  pump(): void {
    this.pumps++
  }
}

export const TRACKER: TrackerOptions = {
  enterRssi: -75,
  leaveRssi: -85,
  leaveTimeoutMs: 30_000,
  minEnterSamples: 3,
  minEnterMs: 0,
  minLeaveSamples: 3,
  kalman: { processNoise: 1, measurementNoise: 9 },
  calibration: { pathLoss: 2, offsetDb: 0 },
}

export function makeReader(dataDir: string, device = 'ble-0') {
  const outbox = new Outbox({ dataDir, maxEntries: 1000 })
  const link = new RecordingLink()
  const sender = new IdleSender()
  const source = new SimulatedAdvertisementSource(device, pino({ level: 'silent' }))
  const reader = new BeaconReaderFeature({
    agent: 'shop',
    source,
    outbox,
    sender: sender as unknown as OutboxSender,
    link: link as unknown as MqttLink,
    session: new Session(),
    log: pino({ level: 'silent' }),
    dataDir,
    tracker: TRACKER,
    telemetryS: 3600,
  })
  /** Every payload stored in the outbox, parsed. */
  const stored = () => outbox.pending(10_000).map((e) => JSON.parse(e.payload) as Envelope)
  return { outbox, link, sender, source, reader, stored }
}
