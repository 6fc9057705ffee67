// AIM symbology identifiers (ISO/IEC 15424; the GS1 ones are listed in the GS1 General Specifications'
// symbology identifier table): ']' + a code letter + one modifier character, sent by a scanner in front
// of the data when it is configured to. They tell us how to read what follows.

/** The identifiers whose data is a GS1 element string (FNC1 in first position). */
const GS1_AIMS = new Set([
  ']C1', // GS1-128
  ']e0', // GS1 DataBar
  ']d2', // GS1 DataMatrix
  ']Q3', // GS1 QR Code
  ']J1', // GS1 DotCode
])

const AIM_RE = /^\][A-Za-z][0-9A-Za-z]/

/** How the data after the identifier must be read. 'auto' = as if no identifier had been sent. */
export type AimReading = 'gs1' | 'upce' | 'ean8' | 'auto'

export interface AimSplit {
  aim?: string
  data: string
  reading: AimReading
}

export function splitAim(text: string): AimSplit {
  const m = AIM_RE.exec(text)
  if (m === null) return { data: text, reading: 'auto' }
  const aim = m[0]
  const data = text.slice(aim.length)
  if (GS1_AIMS.has(aim)) return { aim, data, reading: 'gs1' }
  // ]E0 is the EAN/UPC "standard packet" (EAN-13, UPC-A, UPC-E) and ]E4 is EAN-8, so the identifier
  // settles what an 8-digit code is; 12 and 13 digits under ]E0 read normally (UPC-A, EAN-13).
  if (/^\d{8}$/.test(data)) {
    if (aim === ']E0') return { aim, data, reading: 'upce' }
    if (aim === ']E4') return { aim, data, reading: 'ean8' }
  }
  return { aim, data, reading: 'auto' }
}
