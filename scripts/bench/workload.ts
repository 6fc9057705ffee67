// What the bench devices send: valid EAN-13 scans over a fixed set of products, one fresh envelope id
// per scan, source timestamps spaced so the cloud's scan debounce (same code, same scanner, within
// RELAIS_SCAN_DEBOUNCE_MS of source time) never fires and every scan is real work.
import { gtinCheckDigit, makeEnvelope, topics } from '@relais/hardware'

export const DEVICE = 'scanner-1'
export const CODE_COUNT = 200
/** The cloud's default debounce window; the spacing below is derived from it. */
const DEBOUNCE_MS = 3000
/** Source time between two scans of one device: a code comes back after CODE_COUNT scans. */
export const SOURCE_STEP_MS = Math.ceil(DEBOUNCE_MS / CODE_COUNT) + 5

/** `n` distinct EAN-13 codes with correct check digits (GS1 prefix 40-44: Germany). */
export function benchCodes(n = CODE_COUNT): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const body = `40${String(1_234_500_000 + i * 7919).padStart(10, '0')}`
    out.push(`${body}${gtinCheckDigit(body)}`)
  }
  return out
}

export interface Credentials {
  agent: string
  username: string
  password: string
}

export const agentId = (i: number) => `bench-${i}`

/**
 * One bench device's source: its seq and source clock live as long as the server they talk to, so a
 * later phase never sends a timestamp near one an earlier phase already sent for the same code.
 */
export class ScanSource {
  readonly topic: string
  readonly ackTopic: string
  private seq = 0
  private readonly offset: number

  constructor(
    readonly agent: string,
    private readonly codes: string[],
    private readonly t0: number,
    private readonly session: string,
  ) {
    this.topic = topics.event(agent, DEVICE, 'scan')
    this.ackTopic = topics.cmd(agent, 'ack', DEVICE)
    // Devices start at different codes so a batch touches many list items, as households would.
    this.offset = Number(agent.replace(/\D/g, '') || 0) * 13
  }

  next(): { id: string; payload: string } {
    const seq = this.seq++
    const code = this.codes[(this.offset + seq) % this.codes.length]!
    const env = makeEnvelope({
      agent: this.agent,
      device: DEVICE,
      type: 'scan',
      session: this.session,
      seq,
      ts: this.t0 + seq * SOURCE_STEP_MS,
      data: { code, symbology: 'ean13' },
    })
    return { id: env.id, payload: JSON.stringify(env) }
  }
}
