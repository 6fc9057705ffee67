// Relais' broker rules as a Mosquitto 2.0 password file and acl_file (`relais broker export-mosquitto`),
// for the external broker mode. Pure over its input, so the files are tested without a database.
//
// What Mosquitto 2.0.11's acl_file does (mosquitto.conf(5), and checked against the real broker in
// cloud/test/mosquitto-acl.test.ts): every PUBLISH is checked against the user's `write` lines (refused
// with PUBACK 0x87 under MQTT 5, the connection kept); SUBSCRIBE is not checked at all, every delivery
// is checked against `read` lines instead, so a filter reaching beyond them is granted and hears only
// what the user may read; `deny` lines win over both, for reading and writing. So:
// - agents (topic-rules.ts): write their own status, info, health, device status, telemetry and events,
//   read their own config and cmd topics. '+' in the device level would also match the reserved device
//   ids (`relais/v1/<a>/cmd/status` is a cmd topic, not a device status), so those are denied; the
//   cloud never sends a cmd named status or telemetry, so the deny costs the agent nothing it reads.
// - accounts (account-rules.ts): their read, write and deny patterns as they are. Write patterns never
//   reach relais/ (refused when the account was made), and '#' never matches '$' topics (MQTT-4.7.2-1).
// - the cloud: reads relais/v1/#, writes what it publishes (config, cmd, ops alerts, HA topics).
// What Mosquitto cannot check: that an agent's client id is its username (an agent with a good secret
// could take another agent's client id, MQTT-3.1.4-3, though never its topics), that events are not
// retained, and what a will says; and a revoked agent's live session keeps its TCP connection (reloading
// the ACL takes away its topics at once).
import { filters, OPS_ALERTS_ROOT, RESERVED_DEVICE_IDS, TOPIC_ROOT, topics } from '@relais/hardware'
import { HA_ROOT } from '../integrations/homeassistant/ha-topics.js'
import type { AccountRules } from './account-rules.js'

export interface ExportAgent {
  id: string
  revoked: boolean
  /** `$7$...` (migration 0008); null for an agent made before it. */
  mosquittoHash: string | null
}

export interface ExportAccount extends AccountRules {
  name: string
  revoked: boolean
  mosquittoHash: string | null
}

export interface ExportInput {
  agents: ExportAgent[]
  accounts: ExportAccount[]
  /** The cloud's own login (RELAIS_BROKER_USERNAME), its `$7$` hash made from the password given. */
  cloud?: { username: string; mosquittoHash: string }
  /** Home Assistant's discovery prefix (RELAIS_HA_PREFIX), which the cloud publishes under. */
  haPrefix: string
  generatedAt: Date
}

export interface ExportResult {
  passwords: string
  acl: string
  /** Agents and accounts left out of the password file until their secret is rotated (or remade). */
  needRotation: Array<{ kind: 'agent' | 'account'; name: string }>
  counts: { agents: number; accounts: number; revoked: number }
}

/** The agent's ACL lines, from the topic contract (hardware/src/contract/topics.ts). */
export function agentAcl(agent: string): string[] {
  const own = `${TOPIC_ROOT}/${agent}`
  const deviceTopics = ['status', 'telemetry', 'event/+']
  return [
    ...[...RESERVED_DEVICE_IDS].flatMap((r) => deviceTopics.map((t) => `topic deny ${own}/${r}/${t}`)),
    `topic write ${topics.status(agent)}`,
    `topic write ${topics.info(agent)}`,
    `topic write ${topics.health(agent)}`,
    ...deviceTopics.map((t) => `topic write ${own}/+/${t}`),
    ...filters.agentInbox(agent).map((f) => `topic read ${f}`),
  ]
}

export function accountAcl(rules: AccountRules): string[] {
  return [
    ...rules.deny.map((p) => `topic deny ${p}`),
    ...rules.read.map((p) => `topic read ${p}`),
    ...rules.write.map((p) => `topic write ${p}`),
  ]
}

export function cloudAcl(haPrefix: string): string[] {
  return [
    `topic read ${TOPIC_ROOT}/#`,
    `topic write ${TOPIC_ROOT}/+/config`,
    `topic write ${TOPIC_ROOT}/+/cmd/+`,
    `topic write ${TOPIC_ROOT}/+/+/cmd/+`,
    `topic write ${OPS_ALERTS_ROOT}/#`,
    // The HA bridge publishes its states and discovery and reads HA's birth (integrations/homeassistant).
    `topic readwrite ${HA_ROOT}/#`,
    `topic readwrite ${haPrefix}/#`,
  ]
}

export function buildMosquittoExport(input: ExportInput): ExportResult {
  const stamp = `# Written by \`relais broker export-mosquitto\` at ${input.generatedAt.toISOString()}; do not edit, export again.`
  const users: string[] = []
  const acl: string[] = [
    stamp,
    '# Reload Mosquitto after each export (SIGHUP, or systemctl reload mosquitto).',
    '# No lines before the first `user`: clients without a username get no topic at all.',
    '',
  ]
  const needRotation: ExportResult['needRotation'] = []
  let revoked = 0
  if (input.cloud !== undefined) {
    users.push(`${input.cloud.username}:${input.cloud.mosquittoHash}`)
    acl.push(
      '# the cloud (RELAIS_BROKER_USERNAME)',
      `user ${input.cloud.username}`,
      ...cloudAcl(input.haPrefix),
      '',
    )
  }
  let agents = 0
  for (const a of [...input.agents].sort((x, y) => cmp(x.id, y.id))) {
    if (a.revoked) revoked++
    else if (a.mosquittoHash === null) needRotation.push({ kind: 'agent', name: a.id })
    else {
      agents++
      users.push(`${a.id}:${a.mosquittoHash}`)
      acl.push(`# agent ${a.id}`, `user ${a.id}`, ...agentAcl(a.id), '')
    }
  }
  let accounts = 0
  for (const a of [...input.accounts].sort((x, y) => cmp(x.name, y.name))) {
    if (a.revoked) revoked++
    else if (a.mosquittoHash === null) needRotation.push({ kind: 'account', name: a.name })
    else {
      accounts++
      users.push(`${a.name}:${a.mosquittoHash}`)
      acl.push(`# account ${a.name}`, `user ${a.name}`, ...accountAcl(a), '')
    }
  }
  // Mosquitto reads the password file as `user:hash` lines; it has no comment syntax to rely on.
  return {
    passwords: users.map((l) => `${l}\n`).join(''),
    acl: `${acl.join('\n')}\n`,
    needRotation,
    counts: { agents, accounts, revoked },
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
