// Numbered migrations, applied in name order by Kysely's Migrator. Never edit one that has shipped:
// add the next number.
import type { Migration } from 'kysely'
import * as m0001 from './0001-initial.js'

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
}
