// Reads a GET /metrics body with parse-prometheus-text-format (a port of Prometheus's own parser; it
// throws on malformed lines), and looks samples up by name and labels.
// @ts-expect-error: the package ships no types; its output shape is declared below (prom2json's).
import parsePrometheusTextFormat from 'parse-prometheus-text-format'

export interface Family {
  name: string
  help: string
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
  metrics: Array<{
    labels?: Record<string, string>
    value?: string
    buckets?: Record<string, string>
    count?: string
    sum?: string
  }>
}

export function parseMetrics(text: string): Map<string, Family> {
  const families = (parsePrometheusTextFormat as (t: string) => Family[])(text)
  return new Map(families.map((f) => [f.name, f]))
}

/** The sample of `name` whose labels include `labels`; undefined when there is none. */
export function sample(m: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  return m.get(name)?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v))
}

export function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const s = sample(m, name, labels)
  return s?.value === undefined ? 0 : Number(s.value)
}
