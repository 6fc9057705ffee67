// The reads ingest runs every batch (dedupe records, agents, items, names by the batch's keys), built by
// Kysely once per key count instead of once per batch. Each batch's IN list had a new length, so
// SQLite also parsed and planned a new statement text every batch (the prepared-statement cache in
// storage/db.ts never saw one twice, and the texts pushed out the ones it kept): 6 % of the writer
// thread's time went to preparing alone (npm run bench:ingest, CPU profile).
//
// Key counts are rounded up to a few sizes (SIZES, steps of at most half) and the list padded with its
// last key: a key listed twice matches its row once, so the rows are the same, for at most a third
// more probes. The companion of BulkInsert (bulk-insert.ts).
import type { Compilable, Kysely } from 'kysely'
import { CompiledQuery } from 'kysely'
import { isPostgres } from './dialect.js'
import type { Database } from './schema.js'

const SIZES = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512] as const
const MAX = SIZES[SIZES.length - 1]

/** Where each parameter of the compiled text comes from: a key's column, or a constant of the query. */
type Slot = { key: number; column: number } | { value: unknown }

export class BulkLookup<K extends readonly unknown[], R> {
  private readonly compiled = new Map<string, { sql: string; slots: Slot[] }>()

  /**
   * @param arity the number of columns in a key
   * @param build the query for the given keys; its parameters are the keys' values and any constants
   *   (`is_default = 1`), which are kept as compiled.
   */
  constructor(
    private readonly arity: K['length'],
    private readonly build: (db: Kysely<Database>, keys: readonly K[]) => Compilable<R>,
  ) {}

  /** The rows for `keys`, in whatever order the engine returns them; nothing is run for no keys. */
  async run(trx: Kysely<Database>, keys: readonly K[]): Promise<R[]> {
    const pg = isPostgres(trx)
    const out: R[] = []
    for (let at = 0; at < keys.length; at += MAX) {
      const part = keys.slice(at, at + MAX)
      const size = SIZES.find((s) => s >= part.length)!
      const { sql, slots } = this.text(trx, pg, size)
      const params = slots.map((s) =>
        'value' in s ? s.value : part[Math.min(s.key, part.length - 1)]![s.column],
      )
      out.push(...(await trx.executeQuery<R>(CompiledQuery.raw(sql, params))).rows)
    }
    return out
  }

  private text(trx: Kysely<Database>, pg: boolean, size: number): { sql: string; slots: Slot[] } {
    const cacheKey = `${pg ? 'pg' : 'sqlite'}:${size}`
    let entry = this.compiled.get(cacheKey)
    if (entry === undefined) {
      // Compiled with a distinct marker per key column, to find where each lands among the parameters.
      const marker = (key: number, column: number) => `\u0000bulk-lookup:${key}:${column}`
      const keys = Array.from(
        { length: size },
        (_, k) => Array.from({ length: this.arity }, (_, c) => marker(k, c)) as unknown as K,
      )
      const q = this.build(trx, keys).compile()
      const slots = q.parameters.map((p): Slot => {
        const m = typeof p === 'string' ? /^\u0000bulk-lookup:(\d+):(\d+)$/.exec(p) : null
        return m === null ? { value: p } : { key: Number(m[1]), column: Number(m[2]) }
      })
      // The shape this class relies on: every key column a parameter, once.
      const filled = slots.filter((s) => 'key' in s).length
      if (filled !== size * this.arity)
        throw new Error(`BulkLookup: ${filled} key parameters for ${size} keys of ${this.arity} columns`)
      entry = { sql: q.sql, slots }
      this.compiled.set(cacheKey, entry)
    }
    return entry
  }
}
