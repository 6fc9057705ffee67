// Chooses and cleans the few fields Relais keeps from an Open Food Facts product, whichever way it came
// (CSV row, JSONL object, API response). The same rules for all three, so the importers agree.
import { parseBarcode } from '@relais/hardware'

/** Cleaned product fields. A key is absent when the source does not carry that field at all. */
export interface ProductFields {
  name: string
  brands?: string | null
  quantity?: string | null
  image_url?: string | null
  categories?: string | null
  lang?: string | null
}

/** Acks carry at most 300 characters of name (AckItemSchema); longer text is cut, never rejected. */
const MAX_NAME = 300
const MAX_TEXT = 1000

const has = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k)
const text = (v: unknown, max = MAX_TEXT): string | null => {
  if (typeof v !== 'string') return null
  const t = v.trim()
  return t === '' ? null : t.length > max ? t.slice(0, max).trimEnd() : t
}

/**
 * The catalogue key of an export code: only valid GTINs are imported, keyed by their GTIN-14. OFF also
 * holds codes no scanner produces (15-24 digits, wrong check digits), which would never match a scan.
 */
export function productKey(code: unknown): { key: string } | { skip: string } {
  if (typeof code !== 'string' || code.trim() === '') return { skip: 'no_code' }
  const info = parseBarcode(code.trim())
  if (info.valid && info.gtin !== null) return { key: info.gtin }
  // A GTIN-shaped code with a wrong check digit is a typo; anything else (too long, not digits) is not
  // a GTIN at all.
  return { skip: info.symbology !== 'plain' ? 'bad_check_digit' : 'not_gtin' }
}

/** Comma-separated in the CSV, an array in JSON; `en:null`-style placeholders mean "none". */
export function cleanTags(v: unknown): string | null {
  const tags = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : []
  const kept = tags
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.trim())
    .filter((t) => t !== '' && !/^([a-z-]+:)?null$/i.test(t))
  return kept.length > 0 ? kept.join(',') : null
}

/** `Tetley,  American Power Products  Inc.` -> `Tetley, American Power Products Inc.` */
export function cleanBrands(v: unknown): string | null {
  if (typeof v !== 'string') return null
  const brands = v
    .split(',')
    .map((b) => b.replace(/\s+/g, ' ').trim())
    .filter((b) => b !== '')
  return text(brands.join(', '))
}

/** Only web URLs: the value ends up in an <img src> on the household's pages. */
const url = (v: unknown): string | null => {
  const t = text(v, 2000)
  return t !== null && /^https?:\/\//i.test(t) ? t : null
}

/**
 * Cleans one product. A product without any name is skipped (`no_name`): it would show only its code,
 * exactly like an unknown product, and would keep it out of the household's unknown-products inbox.
 */
export function productFields(f: Record<string, unknown>): ProductFields | { skip: string } {
  const lang = text(f.lang, 16) ?? text(f.lc, 16)
  const name =
    text(f.product_name, MAX_NAME) ??
    (lang !== null ? text(f[`product_name_${lang}`], MAX_NAME) : null) ??
    text(f.product_name_en, MAX_NAME) ??
    text(f.generic_name, MAX_NAME)
  if (name === null) return { skip: 'no_name' }

  const out: ProductFields = { name }
  if (has(f, 'brands')) out.brands = cleanBrands(f.brands)
  if (has(f, 'quantity')) out.quantity = text(f.quantity)
  if (has(f, 'categories_tags')) out.categories = cleanTags(f.categories_tags)
  // The CSV and the API name the front image differently; the JSONL export has neither.
  if (has(f, 'image_url')) out.image_url = url(f.image_url)
  else if (has(f, 'image_front_url')) out.image_url = url(f.image_front_url)
  if (has(f, 'lang') || has(f, 'lc')) out.lang = lang
  return out
}
