// Test support for the HTTP API: a fresh SQLite database in a temp dir, two households, an ops and a
// courier token, the app built (not listening), and scans applied the way ingest applies them.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { createHousehold } from '../../src/domains/households/households.js'
import { type ListChange, ListEvents } from '../../src/domains/lists/list-events.js'
import { applyScans, type ScanApplied } from '../../src/domains/lists/scan-apply.js'
import { createToken } from '../../src/domains/tokens/tokens.js'
import { buildApp, type HttpDeps } from '../../src/http/app.js'
import type { Db } from '../../src/storage/db.js'
import { addProduct } from './catalogue.js'
import { openTestDatabase } from './database.js'

export interface HttpFixture {
  app: FastifyInstance
  db: Db
  events: ListEvents
  /** Every change the emitter fired, in order. */
  changes: ListChange[]
  /** Log lines (JSON) the app wrote. */
  logs: string[]
  tokens: { home: string; other: string; ops: string; courier: string }
  /** Applies a scan of `code` for a household, as ingest would, and returns what it did. */
  scan(household: string, code: string): Promise<ScanApplied>
  /** Puts a product in the catalogue, by its lookup key. */
  product(key: string, name: string): Promise<void>
  auth(token: string): { authorization: string }
  close(): Promise<void>
}

export async function httpFixture(extra: Partial<HttpDeps> = {}): Promise<HttpFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'relais-http-'))
  const db = await openTestDatabase(dir)
  const home = await createHousehold(db, { id: 'home', name: 'Home' })
  const other = await createHousehold(db, { id: 'other' })
  const ops = await createToken(db, { scope: 'ops', name: 'ops test' })
  const courier = await createToken(db, { scope: 'courier', name: 'courier test' })
  const events = new ListEvents()
  const changes: ListChange[] = []
  events.on('change', (c) => changes.push(c))
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk))
      cb()
    },
  })
  const app = await buildApp({
    db,
    log: pino({ level: 'info' }, sink),
    listEvents: events,
    version: '9.9.9',
    ...extra,
  })
  let ts = 1_700_000_000_000
  return {
    app,
    db,
    events,
    changes,
    logs,
    tokens: { home: home.token, other: other.token, ops, courier },
    scan: async (household, code) => {
      ts += 60_000
      const [r] = await db.transaction().execute((trx) =>
        applyScans(
          trx,
          [
            {
              agent: 'pi-1',
              device: 'scanner-1',
              householdId: household,
              eventId: `e${ts}`,
              ts,
              data: { code },
            },
          ],
          {
            now: ts,
            debounceMs: 0,
          },
        ),
      )
      return r!
    },
    product: async (key, name) => {
      await addProduct(db, key, name)
    },
    auth: (token) => ({ authorization: `Bearer ${token}` }),
    close: async () => {
      await app.close()
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
