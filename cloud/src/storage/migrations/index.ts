// Numbered migrations, applied in name order by Kysely's Migrator. Never edit one that has shipped:
// add the next number.
import type { Migration } from 'kysely'
import * as m0001 from './0001-initial.js'
import * as m0002 from './0002-item-changes.js'
import * as m0003 from './0003-pickups.js'
import * as m0004 from './0004-rounds.js'
import * as m0005 from './0005-presence.js'
import * as m0006 from './0006-fleet-registry.js'
import * as m0007 from './0007-availability-alerts.js'
import * as m0008 from './0008-mosquitto-hashes.js'
import * as m0009 from './0009-dedupe-key-order.js'
import * as m0010 from './0010-undo-stacks.js'

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-item-changes': m0002,
  '0003-pickups': m0003,
  '0004-rounds': m0004,
  '0005-presence': m0005,
  '0006-fleet-registry': m0006,
  '0007-availability-alerts': m0007,
  '0008-mosquitto-hashes': m0008,
  '0009-dedupe-key-order': m0009,
  '0010-undo-stacks': m0010,
}
