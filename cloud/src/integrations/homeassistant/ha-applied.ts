// Which scans and presses the cloud took, once each, for Home Assistant. An event counts when its first
// ack goes out: the ack comes after the commit (DESIGN.md, delivery rule 2), carries the outcome (the
// product's name, the pickup's state), and a resent or redelivered event is answered with `replayed`,
// so one press runs an HA automation once however often its device had to send it. The event itself is
// read from the bus only to learn what was pressed or scanned; what the ack does not answer (an event
// whose ack was never sent) is forgotten oldest first.
import {
  type Ack,
  decodeMessage,
  type PickupCmd,
  type PressEvent,
  type PressKind,
  type ScanEvent,
} from '@relais/hardware'
import { type LastScanState, lastScanState, type PickupState, pickupState } from './ha-states.js'

export type AppliedUpdate =
  | { kind: 'scan'; agent: string; device: string; state: LastScanState }
  | { kind: 'press'; agent: string; device: string; press: PressKind }
  | { kind: 'pickup'; agent: string; device: string; state: PickupState }

interface Pending {
  name: 'scan' | 'press'
  ts: number
  data: ScanEvent | PressEvent
}

/**
 * Outcomes of a scan that changed the list (a product added, or taken off in remove mode); a debounced
 * repeat, a refusal or an undo changes nothing HA shows as the last scan.
 */
const SCAN_TAKEN: ReadonlySet<string> = new Set(['added', 'incremented', 'unknown_product', 'removed'])

export class AppliedEvents {
  private readonly pending = new Map<string, Pending>()

  constructor(private readonly max = 10_000) {}

  get size(): number {
    return this.pending.size
  }

  /** A scan or press event as its agent published it. Invalid ones are ingest's to answer. */
  event(topic: string, payload: Buffer): void {
    const d = decodeMessage(topic, payload)
    if (!d.ok || d.topic.kind !== 'event') return
    if (d.topic.name !== 'scan' && d.topic.name !== 'press') return
    const key = keyOf(d.topic.agent, d.topic.device, d.message.id)
    this.pending.delete(key)
    this.pending.set(key, { name: d.topic.name, ts: d.message.ts, data: d.message.data as ScanEvent })
    if (this.pending.size > this.max) this.pending.delete(this.pending.keys().next().value as string)
  }

  /** A device-level command the cloud sent: an ack of a pending event, or a pickup notice. */
  command(topic: string, payload: Buffer): AppliedUpdate[] {
    const d = decodeMessage(topic, payload)
    if (!d.ok || d.topic.kind !== 'cmd' || d.topic.device === undefined) return []
    const { agent, device, name } = d.topic
    if (name === 'pickup') {
      return [{ kind: 'pickup', agent, device, state: pickupState((d.message.data as PickupCmd).pickup) }]
    }
    if (name !== 'ack' || d.message.corr === undefined) return []
    const key = keyOf(agent, device, d.message.corr)
    const p = this.pending.get(key)
    if (p === undefined) return []
    this.pending.delete(key)
    const ack = d.message.data as Ack
    if (ack.replayed === true) return []
    if (p.name === 'scan') {
      if (!SCAN_TAKEN.has(ack.outcome)) return []
      const state = lastScanState((p.data as ScanEvent).code, ack.outcome, p.ts, ack.item)
      return [{ kind: 'scan', agent, device, state }]
    }
    // Every press the cloud took once is a trigger, whatever became of the pickup: a button placed at no
    // site (refused for pickups) may still drive the household's own automations.
    const out: AppliedUpdate[] = [{ kind: 'press', agent, device, press: (p.data as PressEvent).press }]
    if (ack.pickup !== undefined) out.push({ kind: 'pickup', agent, device, state: pickupState(ack.pickup) })
    return out
  }
}

const keyOf = (agent: string, device: string, id: string) => `${agent}/${device}/${id}`
