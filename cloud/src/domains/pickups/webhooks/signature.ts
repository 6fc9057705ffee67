// Webhook signatures (README.md beside this file says how a receiver checks them): HMAC-SHA256 under the
// shared secret (RELAIS_WEBHOOK_SECRET) of "<timestamp>.<body>", hex, as `sha256=<hex>`. The timestamp
// is the attempt's, in epoch ms, so a captured request cannot be replayed outside the receiver's window,
// and the body is the stored bytes, so every retry of a delivery signs exactly what the first did.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const HEADER_DELIVERY = 'x-relais-delivery'
export const HEADER_TIMESTAMP = 'x-relais-timestamp'
export const HEADER_SIGNATURE = 'x-relais-signature'

/** Five minutes either way: the receiver's clock may be off a little, never by this much. */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export type VerifyResult =
  | { ok: true; delivery: string; timestamp: number }
  | { ok: false; reason: 'missing_header' | 'bad_timestamp' | 'stale' | 'bad_signature' }

/**
 * What a receiver does with a delivery, before it trusts the body: the signature must match the raw
 * body as received (not a re-serialised parse), and the timestamp must be within `toleranceMs` of its
 * own clock. It then drops a delivery id it has already processed: deliveries are at least once (a POST
 * that timed out after the receiver acted is sent again, same id, same body).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  now = Date.now(),
  toleranceMs = DEFAULT_TOLERANCE_MS,
): VerifyResult {
  const one = (name: string) => {
    const v = headers[name]
    return Array.isArray(v) ? undefined : v
  }
  const delivery = one(HEADER_DELIVERY)
  const ts = one(HEADER_TIMESTAMP)
  const sig = one(HEADER_SIGNATURE)
  if (delivery === undefined || ts === undefined || sig === undefined)
    return { ok: false, reason: 'missing_header' }
  if (!/^\d{1,16}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' }
  const timestamp = Number(ts)
  if (Math.abs(now - timestamp) > toleranceMs) return { ok: false, reason: 'stale' }
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody))
  const given = Buffer.from(sig)
  // Constant time: a byte-by-byte compare would tell an attacker how much of a guess was right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' }
  return { ok: true, delivery, timestamp }
}
