// Finds a product by its catalogue key: the products table first, then (only when switched on) the Open
// Food Facts API, whose answers are cached in catalogue_lookups so a code is not asked about again and
// again. The ingest calls it after a scan of an unknown code, outside its transaction; it never throws.
import type { Logger } from '../lib/logger.js'
import type { Db } from '../storage/db.js'
import { type ProductFields, productFields } from './product-fields.js'
import { type CatalogueProduct, readProduct, writeProducts } from './product-store.js'

export interface ProductLookupOptions {
  db: Db
  /** CloudConfig.catalogue.onlineLookup: off by default, nothing leaves the server unless asked. */
  enabled: boolean
  /** CloudConfig.catalogue.offApiUrl, e.g. https://world.openfoodfacts.org */
  baseUrl: string
  timeoutMs: number
  log: Logger
  fetch?: typeof fetch
  now?: () => number
  /** OFF asks API clients to identify themselves: `AppName/Version (ContactEmail)`. */
  userAgent?: string
}

export const DEFAULT_USER_AGENT = 'Relais/0.1 (ops@relais.invalid)'
/** OFF gains products daily, but asking about the same missing code more than weekly is just load. */
export const NOT_FOUND_TTL_MS = 7 * 24 * 3600_000
/** After a failure (timeout, 5xx) wait a little, not a week: the product may well exist. */
export const ERROR_TTL_MS = 5 * 60_000
const FIELDS =
  'code,product_name,product_name_en,generic_name,brands,quantity,image_front_url,lang,categories_tags'

type Outcome =
  | { status: 'found'; fields: ProductFields }
  | { status: 'not_found'; why: string }
  | { status: 'error'; why: string }

export class ProductLookup {
  private readonly log: Logger
  private readonly fetch: typeof fetch
  private readonly now: () => number
  private readonly inflight = new Map<string, Promise<CatalogueProduct | undefined>>()

  constructor(private readonly opts: ProductLookupOptions) {
    this.log = opts.log.child({ module: 'catalogue' })
    this.fetch = opts.fetch ?? globalThis.fetch
    this.now = opts.now ?? Date.now
  }

  /** The product for a catalogue key (GTIN-14), or undefined when unknown or on any failure. */
  async lookup(key: string): Promise<CatalogueProduct | undefined> {
    try {
      const known = await readProduct(this.opts.db, key)
      if (known !== undefined || !this.opts.enabled) return known
      // Plain (non-GTIN) codes are in-house labels; OFF cannot know them.
      if (!/^\d{14}$/.test(key)) return undefined
      let pending = this.inflight.get(key)
      if (pending === undefined) {
        pending = this.online(key).finally(() => this.inflight.delete(key))
        this.inflight.set(key, pending)
      }
      return await pending
    } catch (err) {
      this.log.error({ code: key, err }, 'product lookup failed')
      return undefined
    }
  }

  private async online(key: string): Promise<CatalogueProduct | undefined> {
    const db = this.opts.db
    const cached = await db
      .selectFrom('catalogue_lookups')
      .selectAll()
      .where('code', '=', key)
      .executeTakeFirst()
    if (cached !== undefined) {
      const age = this.now() - Number(cached.fetched_at)
      if (cached.status === 'found' && cached.payload !== null)
        return JSON.parse(cached.payload) as CatalogueProduct
      if (cached.status === 'not_found' && age < NOT_FOUND_TTL_MS) return undefined
      if (cached.status === 'error' && age < ERROR_TTL_MS) return undefined
    }
    const outcome = await this.ask(key)
    const fetchedAt = this.now()
    let payload: string
    let product: CatalogueProduct | undefined
    if (outcome.status === 'found') {
      product = toProduct(key, outcome.fields, fetchedAt)
      await writeProducts(db, [{ code: key, fields: outcome.fields }], 'off-api', fetchedAt)
      payload = JSON.stringify(product)
      this.log.info({ code: key }, 'product found online')
    } else {
      payload = outcome.why
      this.log[outcome.status === 'error' ? 'warn' : 'info'](
        { code: key, why: outcome.why },
        `online lookup: ${outcome.status}`,
      )
    }
    await db
      .insertInto('catalogue_lookups')
      .values({ code: key, status: outcome.status, fetched_at: fetchedAt, payload })
      .onConflict((oc) =>
        oc.column('code').doUpdateSet({ status: outcome.status, fetched_at: fetchedAt, payload }),
      )
      .execute()
    return product
  }

  /** One GET of the OFF API v2; every failure becomes an outcome, never an exception. */
  private async ask(key: string): Promise<Outcome> {
    // OFF keys products by the 13-digit code (UPC-A padded); a true GTIN-14 is asked as is.
    const code = key.startsWith('0') ? key.slice(1) : key
    const url = `${this.opts.baseUrl}/api/v2/product/${code}.json?fields=${FIELDS}`
    try {
      const res = await this.fetch(url, {
        headers: { 'User-Agent': this.opts.userAgent ?? DEFAULT_USER_AGENT, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      })
      // OFF answers an unknown code with 404 and a JSON body `status: 0` (since 2019; 200 before).
      if (res.status === 404 || !res.ok) {
        await res.body?.cancel() // frees the connection; the body says nothing more than the status
        return res.status === 404
          ? { status: 'not_found', why: 'product not found' }
          : { status: 'error', why: `HTTP ${res.status}` }
      }
      const body = (await res.json()) as { status?: unknown; status_verbose?: unknown; product?: unknown }
      if (body.status !== 1 || body.product === null || typeof body.product !== 'object') {
        return { status: 'not_found', why: String(body.status_verbose ?? 'product not found') }
      }
      const fields = productFields(body.product as Record<string, unknown>)
      if ('skip' in fields) return { status: 'not_found', why: fields.skip }
      return { status: 'found', fields }
    } catch (err) {
      const why = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : String(err)
      return { status: 'error', why }
    }
  }
}

function toProduct(code: string, f: ProductFields, at: number): CatalogueProduct {
  return {
    code,
    name: f.name,
    brands: f.brands ?? null,
    quantity: f.quantity ?? null,
    imageUrl: f.image_url ?? null,
    categories: f.categories ?? null,
    lang: f.lang ?? null,
    source: 'off-api',
    updatedAt: at,
  }
}
