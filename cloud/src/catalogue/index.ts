// The product catalogue: Open Food Facts import (CSV and JSONL exports) and the optional online lookup.
export { type ImportOptions, type ImportProgress, type ImportReport, importCatalogue } from './importer.js'
export {
  DEFAULT_USER_AGENT,
  ERROR_TTL_MS,
  NOT_FOUND_TTL_MS,
  ProductLookup,
  type ProductLookupOptions,
} from './lookup.js'
export { cleanBrands, cleanTags, type ProductFields, productFields, productKey } from './product-fields.js'
export {
  type CatalogueProduct,
  type IncomingProduct,
  type ProductSource,
  readProduct,
  type WriteCounts,
  writeProducts,
} from './product-store.js'
export { guessFormat, OFF_FORMATS, type OffFormat } from './records.js'
