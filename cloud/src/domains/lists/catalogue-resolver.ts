// When a household scans a code the catalogue does not know and the online lookup is switched on, ask
// Open Food Facts after the scan has been acked (never inside the ingest transaction) and, if it knows
// the product, name the household's unknown items and close the inbox entry.
import type { Feature } from '@relais/hardware'
import type { ProductLookup } from '../../catalogue/lookup.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import type { ListEvents } from './list-events.js'
import { householdListIds } from './list-service.js'

export class CatalogueResolver implements Feature {
  readonly name = 'catalogue-resolver'
  private readonly pending = new Set<Promise<void>>()
  private readonly onUnknown = (u: { householdId: string; code: string }) => {
    const p = this.resolve(u.householdId, u.code).finally(() => this.pending.delete(p))
    this.pending.add(p)
  }

  constructor(private readonly o: { db: Db; lookup: ProductLookup; events: ListEvents; log: Logger }) {}

  start(): void {
    this.o.events.on('unknown', this.onUnknown)
  }

  async stop(): Promise<void> {
    this.o.events.off('unknown', this.onUnknown)
    await Promise.allSettled([...this.pending])
  }

  /** Resolves when every lookup started so far has finished (for tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  async resolve(householdId: string, code: string): Promise<void> {
    try {
      const product = await this.o.lookup.lookup(code)
      if (product?.name == null) return
      const name = product.name
      const { db } = this.o
      const renamed = await db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable('items')
          .set({ name, unknown: 0, updated_at: Date.now() })
          .where('code', '=', code)
          .where('unknown', '=', 1)
          .where('list_id', 'in', householdListIds(trx, householdId))
          .returning('id')
          .execute()
        await trx
          .deleteFrom('unknown_products')
          .where('household_id', '=', householdId)
          .where('code', '=', code)
          .where('named_at', 'is', null)
          .execute()
        return rows.map((r) => r.id)
      })
      for (const itemId of renamed) this.o.events.emit('change', { householdId, itemId, reason: 'rename' })
      this.o.log.info(
        { household: householdId, code, renamed: renamed.length },
        'unknown product found online',
      )
    } catch (err) {
      this.o.log.error(
        { err, household: householdId, code },
        'naming an unknown product from the catalogue failed',
      )
    }
  }
}
