// Barcodes: GTIN validation and normalisation (EAN-13, EAN-8, UPC-A, UPC-E, GTIN-14), AIM symbology
// identifiers and GS1 element strings. Pure functions; used by the edge, scan ingest and the catalogue.
export { gtinCheckDigit } from './check-digit.js'
export { parseBarcode } from './parse.js'
export type { BarcodeInfo, ParseBarcodeOptions, Symbology } from './types.js'
export { expandUpce } from './upce.js'
