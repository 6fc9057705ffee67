// Restricted Circulation Numbers: GTIN-shaped numbers that only mean something inside one company or
// one country (in-store codes, variable-measure items sold by weight or price). GS1 General
// Specifications, GS1 Prefix table: GTIN-13 prefixes 02 and 20-29 (within a geographic region) and 04
// (within a company); GS1-8 Prefixes 0 and 2 for EAN-8 (RCN-8).

/** `gtin14` is a valid 14-digit GTIN. */
export function isRestricted(gtin14: string): boolean {
  // A GTIN-8 in 14 digits starts with six zeros: no GTIN-12 or GTIN-13 company prefix is issued that
  // would collide with it, so this test is exact.
  if (gtin14.startsWith('000000')) return gtin14[6] === '0' || gtin14[6] === '2'
  const prefix = gtin14.slice(1, 3)
  return prefix === '02' || prefix === '04' || prefix[0] === '2'
}
