// MQTT topic filters as sets of topics (MQTT 3.1.1 section 4.7), for integration accounts' patterns:
// whether a filter is well formed, matches a topic, overlaps another filter, or is covered by a union
// of filters. Pure functions, tested without a broker.

/** MQTT-4.7.1-2/-3: '#' only as the last level and alone in it; '+' alone in its level; never empty. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000') || Buffer.byteLength(filter) > 65535) return false
  const levels = filter.split('/')
  return levels.every(
    (l, i) => (l === '#' && i === levels.length - 1) || l === '+' || (!l.includes('#') && !l.includes('+')),
  )
}

/** Whether `filter` matches the concrete `topic` (MQTT-4.7.1, and MQTT-4.7.2-1 for '$' topics). */
export function matches(filter: string, topic: string): boolean {
  // MQTT-4.7.2-1: a filter starting with a wildcard does not match a topic starting with '$'.
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false
  return overlapLevels(filter.split('/'), topic.split('/'))
}

/** Whether some topic is matched by both filters. */
export function overlaps(a: string, b: string): boolean {
  const dollar = (f: string) => f.startsWith('$')
  const wild = (f: string) => f.startsWith('+') || f.startsWith('#')
  // MQTT-4.7.2-1: the '$' topics one filter names are out of the other's reach if it starts with a wildcard.
  if ((dollar(a) && wild(b)) || (dollar(b) && wild(a))) return false
  return overlapLevels(a.split('/'), b.split('/'))
}

function overlapLevels(a: string[], b: string[]): boolean {
  for (let i = 0; ; i++) {
    const x = a[i]
    const y = b[i]
    // '#' matches the parent level too (MQTT-4.7.1-2), so it meets whatever is left of the other.
    if (x === '#' || y === '#') return true
    if (x === undefined || y === undefined) return x === y
    if (x !== '+' && y !== '+' && x !== y) return false
  }
}

/**
 * Whether every topic `filter` matches is matched by at least one of `patterns` (exact, not only by a
 * single pattern: `a` and `a/+/#` together cover `a/#`). Level by level: a literal level keeps the
 * patterns that accept it; '+' stands for any string, so only patterns with '+' there can answer for all
 * of them; '#' is "nothing more" and "one more level of anything, then anything".
 */
export function covers(patterns: string[], filter: string): boolean {
  // Filters starting with a wildcard reach no '$' topics, and '$' filters are refused before this.
  return coverLevels(
    patterns.map((p) => p.split('/')),
    filter.split('/'),
  )
}

function coverLevels(patterns: string[][], f: string[]): boolean {
  if (patterns.some((p) => p[0] === '#')) return true
  if (patterns.length === 0) return false
  if (f.length === 0) return patterns.some((p) => p.length === 0)
  const head = f[0]!
  if (head === '#') return coverLevels(patterns, []) && coverLevels(patterns, ['+', '#'])
  const next = patterns
    .filter((p) => p.length > 0 && (p[0] === '+' || (head !== '+' && p[0] === head)))
    .map((p) => p.slice(1))
  return coverLevels(next, f.slice(1))
}
