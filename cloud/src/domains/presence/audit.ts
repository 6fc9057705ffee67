// The consent audit: who did what when (granted, revoked, expired, erased). Append-only (DESIGN.md,
// "Consent ... is audited"): this module only inserts; nothing in Relais updates or deletes its rows.
import type { Kysely } from 'kysely'
import { newId } from '../../lib/ids.js'
import type { ConsentAction } from '../../storage/presence-schema.js'
import type { Database } from '../../storage/schema.js'

export interface AuditEntry {
  member: string
  action: ConsentAction
  /** `ops:<token id>`, `member:<id>`, `system` */
  by: string
  at: number
  consent?: { id: string; zone: string; purpose: string }
}

export async function appendAudit(db: Kysely<Database>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('consent_audit')
    .values({
      id: newId(),
      member_id: e.member,
      consent_id: e.consent?.id ?? null,
      zone_id: e.consent?.zone ?? null,
      purpose: e.consent?.purpose ?? null,
      action: e.action,
      by: e.by,
      at: e.at,
    })
    .execute()
}
