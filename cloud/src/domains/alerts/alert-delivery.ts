// Where an alert goes besides its row: a signed webhook (RELAIS_ALERT_WEBHOOK_URL, the 'alerts' channel of
// the pickup webhooks' queue, enqueued in the same transaction as the alert change, so none is lost) and
// a retained MQTT message per alert on relais/ops/alerts/<rule>/<subject>[/<device>], outside every
// agent's prefix: agents may subscribe only to their own inbox (broker/topic-rules.ts), so none reads it.
import { randomUUID } from 'node:crypto'
import { topics } from '@relais/hardware'
import type { Transaction } from 'kysely'
import type { MessageBus } from '../../ingest/bus.js'
import type { Database } from '../../storage/schema.js'
import { type Alert, stateOf } from './alert-store.js'

export type NoticeType = 'alert.raised' | 'alert.repeated' | 'alert.acked' | 'alert.cleared'

export function alertView(a: Alert) {
  return {
    id: a.id,
    key: a.key,
    rule: a.rule,
    subject: a.subject,
    device: a.device,
    severity: a.severity,
    state: stateOf(a),
    message: a.message,
    details: a.details,
    raisedAt: a.raisedAt,
    lastSentAt: a.lastSentAt,
    nextRepeatAt: a.nextRepeatAt,
    repeats: a.repeats,
    ackedAt: a.ackedAt,
    ackedBy: a.ackedBy,
    clearedAt: a.clearedAt,
  }
}

/** Queues the webhook notice; the body is fixed now, so every retry signs the same bytes. */
export async function enqueueNotice(
  trx: Transaction<Database>,
  a: Alert,
  type: NoticeType,
  at: number,
): Promise<void> {
  const id = randomUUID()
  const body = JSON.stringify({ type, id, at, alert: alertView(a) })
  // request_id orders a channel's rows: an alert's notices go out in the order they were made.
  await trx
    .insertInto('webhook_deliveries')
    .values({ id, request_id: a.id, body, created_at: at, next_at: at, channel: 'alerts' })
    .execute()
}

export function alertTopic(a: Pick<Alert, 'rule' | 'subject' | 'device'>): string {
  return topics.opsAlert(a.rule, a.subject, a.device ?? undefined)
}

/**
 * The alert's retained state for ops tools; a cleared alert's retained message is removed (a retained
 * PUBLISH with an empty payload, MQTT-3.3.1-10), so a new subscriber sees only what is unresolved.
 */
export function publishAlert(bus: MessageBus, a: Alert, type: NoticeType, at: number): Promise<void> {
  const payload = a.clearedAt !== null ? '' : JSON.stringify({ type, at, alert: alertView(a) })
  return bus.publish(alertTopic(a), payload, { qos: 1, retain: true })
}
