// Ids of agents, devices, households and sites: DESIGN.md fixes the alphabet to [a-z0-9-]. They are
// also MQTT topic levels, so the alphabet keeps out '/', '+', '#' and '$' (MQTT-4.7.1, MQTT-4.7.2).
export const ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,62})$'
const ID_RE = new RegExp(ID_PATTERN)

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value)
}

/** Throws with the field name when `value` is not an id; for CLIs and config where a bad id is fatal. */
export function assertId(field: string, value: unknown): string {
  if (!isId(value)) {
    throw new Error(`${field} must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit`)
  }
  return value
}
