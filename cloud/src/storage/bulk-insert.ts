// Multi-row INSERTs that ingest runs every batch, built by Kysely once per shape instead of once per
// batch. Building a 200-row insert walks and freezes a node per value and compiles it again each time:
// about half of the statement's cost on SQLite (a 2-3 µs per row measured, the native insert about
// the same). Here the statement for k rows is compiled once per engine and k, and each batch only
// flattens its rows into the parameters.
//
// Row counts are cut into a few fixed sizes (CHUNKS), so a table has at most four statement texts
// whatever its batches hold: the prepared-statement cache (storage/db.ts) keeps them all.
import type { Compilable, Kysely } from 'kysely'
import { CompiledQuery } from 'kysely'
import { isPostgres } from './dialect.js'
import type { Database } from './schema.js'

/** Row counts per statement, largest first; the widest row (items, 15 columns) stays far below the
 * engines' bound-parameter limits (SQLite 32,766, PostgreSQL 65,535). */
const CHUNKS = [100, 25, 5, 1] as const

export class BulkInsert<R extends object> {
  private readonly compiled = new Map<string, string>()

  /**
   * @param columns every column the statement inserts, in the order `build` lists them; each row must
   *   have a value (null included) for each.
   * @param build the insert for the given rows: `values(rows)` and any ON CONFLICT clause that takes
   *   no parameters of its own (`excluded.*` references), so the parameters are the rows' values.
   */
  constructor(
    private readonly columns: ReadonlyArray<keyof R & string>,
    private readonly build: (db: Kysely<Database>, rows: R[]) => Compilable,
  ) {}

  async run(trx: Kysely<Database>, rows: readonly R[]): Promise<void> {
    const pg = isPostgres(trx)
    let at = 0
    for (const size of CHUNKS) {
      while (rows.length - at >= size) {
        const part = rows.slice(at, at + size)
        at += size
        const params: unknown[] = []
        for (const row of part)
          for (const c of this.columns) {
            const v = row[c]
            params.push(v === undefined ? null : v)
          }
        await trx.executeQuery(CompiledQuery.raw(this.text(trx, pg, size), params))
      }
    }
  }

  private text(trx: Kysely<Database>, pg: boolean, size: number): string {
    const key = `${pg ? 'pg' : 'sqlite'}:${size}`
    let text = this.compiled.get(key)
    if (text === undefined) {
      const placeholder = Object.fromEntries(this.columns.map((c) => [c, null])) as R
      const q = this.build(
        trx,
        Array.from({ length: size }, () => placeholder),
      ).compile()
      // The shape this class relies on: one parameter per column per row, nothing else.
      if (q.parameters.length !== size * this.columns.length)
        throw new Error(
          `BulkInsert: ${q.parameters.length} parameters for ${size} rows of ${this.columns.length} columns`,
        )
      text = q.sql
      this.compiled.set(key, text)
    }
    return text
  }
}
