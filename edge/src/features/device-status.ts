// The retained `relais/v1/<agent>/<device>/status` message every device feature publishes at birth and
// on each change (DESIGN.md, contract table: device attached / detached, with its kind).
import { makeEnvelope, topics } from '@relais/hardware'
import type { Session } from '../link/session.js'

export interface DeviceStatusMessage {
  topic: string
  payload: string
  qos: 1
}

export function deviceStatusMessage(o: {
  agent: string
  session: Session
  device: string
  kind: string
  status: { state: 'attached' | 'detached'; detail?: string }
}): DeviceStatusMessage {
  const { state, detail } = o.status
  const data = detail === undefined ? { state, kind: o.kind } : { state, kind: o.kind, detail }
  const env = makeEnvelope({
    agent: o.agent,
    device: o.device,
    type: 'status',
    session: o.session.id,
    seq: o.session.next(),
    data,
  })
  return { topic: topics.deviceStatus(o.agent, o.device), payload: JSON.stringify(env), qos: 1 }
}
