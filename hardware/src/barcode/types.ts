// The shape every barcode consumer codes against (scan ingest, catalogue importer, `relais barcode`).

/** What a code is after AIM and GS1 handling. 'plain' is anything that is not a GTIN: kept, never fixed. */
export type Symbology = 'ean13' | 'ean8' | 'upca' | 'upce' | 'gtin14' | 'plain'

export interface BarcodeInfo {
  /** The input exactly as given. */
  code: string
  /** A GTIN whose check digit is right. */
  valid: boolean
  /** The GTIN in its 14-digit form when valid (UPC-E expanded to UPC-A first), else null. */
  gtin: string | null
  symbology: Symbology
  /**
   * How people read it: 13 digits for EAN-13, 8 for EAN-8, 12 for UPC-A and expanded UPC-E, 14 for a
   * GTIN-14 whose indicator digit is not 0 (else 13), a plain code verbatim (AIM prefix stripped).
   */
  display: string
  /**
   * Lookup key for lists and the catalogue: the gtin when valid; the plain code (verbatim, AIM prefix
   * stripped) when symbology is 'plain'; null when the input is GTIN-shaped but invalid, or unusable.
   */
  key: string | null
  /** Present when !valid: a short human reason, e.g. "check digit is 4, expected 3". */
  error?: string
  /** Set on valid GTINs: true for restricted-circulation / variable-measure numbers (in-store codes). */
  restricted?: boolean
  /** The AIM symbology identifier that was stripped, e.g. ']E0'. */
  aim?: string
  /** GS1 application identifiers parsed from an element string, e.g. { '01': '03017620422003' }. */
  ai?: Record<string, string>
}

export interface ParseBarcodeOptions {
  /**
   * How to read an 8-digit code: 'upce' forces UPC-E, 'ean8' forces EAN-8. Without it an 8-digit code
   * is EAN-8 if its check digit fits, else UPC-E if that fits. Ignored for other lengths, and when the
   * scanner's AIM id (]E0 UPC-E, ]E4 EAN-8) already says which.
   */
  hint?: 'upce' | 'ean8'
}
