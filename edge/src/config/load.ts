// Reads and validates the agent's config: defaults filled in, RELAIS_AGENT_* overrides applied, then
// every problem listed at once, each with its path, so an installer fixes the file in one go.
import { readFileSync } from 'node:fs'
import { Value } from '@sinclair/typebox/value'
import { type AgentConfig, AgentConfigSchema } from './schema.js'

export class AgentConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid agent configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'AgentConfigError'
  }
}

/** Environment overrides, for secrets kept out of the file and for tests. */
type Raw = Record<string, Record<string, unknown> | unknown>
const section = (c: Raw, key: string): Record<string, unknown> =>
  typeof c[key] === 'object' && c[key] !== null ? (c[key] as Record<string, unknown>) : {}

const ENV: Array<[string, (c: Raw, v: string) => void]> = [
  ['RELAIS_AGENT_ID', (c, v) => (c.agent = { ...section(c, 'agent'), id: v })],
  ['RELAIS_AGENT_BROKER_URL', (c, v) => (c.broker = { ...section(c, 'broker'), url: v })],
  ['RELAIS_AGENT_SECRET', (c, v) => (c.broker = { ...section(c, 'broker'), secret: v })],
  ['RELAIS_AGENT_DATA_DIR', (c, v) => (c.dataDir = v)],
  ['RELAIS_AGENT_LOG_LEVEL', (c, v) => (c.log = { ...section(c, 'log'), level: v })],
]

export function parseAgentConfig(
  raw: unknown,
  file = '(config)',
  env: Record<string, string | undefined> = {},
): AgentConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AgentConfigError(file, ['the file must hold a JSON object'])
  const c = structuredClone(raw) as Raw
  for (const [name, apply] of ENV) {
    const v = env[name]
    if (v !== undefined && v !== '') apply(c, v)
  }
  const withDefaults = Value.Default(AgentConfigSchema, c)
  const problems = [...Value.Errors(AgentConfigSchema, withDefaults)].map((e) => {
    const path = e.path.split('/').filter(Boolean).join('.') || '(top)'
    return `${path}: ${e.message}`
  })
  if (problems.length === 0) problems.push(...crossChecks(withDefaults as AgentConfig))
  if (problems.length > 0) throw new AgentConfigError(file, [...new Set(problems)])
  return withDefaults as AgentConfig
}

/** What a schema cannot say: sections a chosen driver needs, unique ids. */
function crossChecks(c: AgentConfig): string[] {
  const out: string[] = []
  const ids = new Set<string>()
  c.scanners.forEach((s, i) => {
    if (ids.has(s.id)) out.push(`scanners.${i}.id: '${s.id}' is used twice`)
    ids.add(s.id)
    if (s.driver === 'serial' && !s.serial) out.push(`scanners.${i}.serial: required with driver 'serial'`)
    if (s.driver === 'hid' && !s.hid) out.push(`scanners.${i}.hid: required with driver 'hid'`)
    const codes = [s.modes.add, s.modes.remove, s.modes.undo]
    if (new Set(codes).size !== 3) out.push(`scanners.${i}.modes: add, remove and undo codes must differ`)
  })
  c.buttons.forEach((b, i) => {
    if (ids.has(b.id)) out.push(`buttons.${i}.id: '${b.id}' is used twice`)
    ids.add(b.id)
    if (b.io === 'linux' && !b.linux) out.push(`buttons.${i}.linux: required with io 'linux'`)
    if (b.io === 'firmata' && !b.firmata) out.push(`buttons.${i}.firmata: required with io 'firmata'`)
  })
  c.beacons.forEach((b, i) => {
    if (ids.has(b.id)) out.push(`beacons.${i}.id: '${b.id}' is used twice`)
    ids.add(b.id)
    if (b.source === 'replay' && !b.replay) out.push(`beacons.${i}.replay: required with source 'replay'`)
    // Without a gap between the thresholds there is no hysteresis, and a beacon at the edge flaps.
    if (b.leaveRssi >= b.enterRssi)
      out.push(`beacons.${i}.leaveRssi: must be below enterRssi (${b.enterRssi})`)
  })
  if (c.feedback.kind === 'johnny-five' && !c.feedback.johnnyFive)
    out.push(`feedback.johnnyFive: required with kind 'johnny-five'`)
  if (c.feedback.johnnyFive?.io === 'firmata' && !c.feedback.johnnyFive.port)
    out.push(`feedback.johnnyFive.port: required with io 'firmata'`)
  if (c.broker.url.startsWith('mqtt://') && c.broker.caFile)
    out.push(`broker.caFile: only used with an mqtts:// url`)
  return out
}

export function loadAgentConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
): AgentConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new AgentConfigError(file, [`cannot read: ${(err as Error).message}`])
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new AgentConfigError(file, [`not JSON: ${(err as Error).message}`])
  }
  return parseAgentConfig(raw, file, env)
}
