// What an integration account (Home Assistant, Telegraf, Node-RED) may do on the broker: publish where a
// write pattern matches and no deny pattern does; subscribe to a filter only when every topic it can
// match is readable, so a filter wider than the read patterns, or touching a deny, is refused whole.
// Two guards no pattern can open: '$' topics are the broker's (MQTT-4.7.2-1; aedes docs/Aedes.md keeps
// the $SYS guard), and the contract's topics are written only by their agent and the cloud (DESIGN.md,
// security): an account must never forge an agent's event or a command. Nor what the cloud derives under
// relais/ (Home Assistant's relais/ha/ press triggers, relais/ops/alerts/): everything under `relais/` is
// written by agents and the cloud only.
import { TOPIC_ROOT } from '@relais/hardware'
import { covers, isValidFilter, matches, overlaps } from './topic-patterns.js'
import type { Verdict } from './topic-rules.js'

export interface AccountRules {
  read: string[]
  write: string[]
  deny: string[]
}

const ok: Verdict = { ok: true }
const no = (reason: string): Verdict => ({ ok: false, reason })
export const CONTRACT_FILTER = `${TOPIC_ROOT.split('/')[0]}/#`

export function accountMayPublish(rules: AccountRules, topic: string): Verdict {
  if (topic.startsWith('$')) return no('$ topics are reserved for the broker')
  if (matches(CONTRACT_FILTER, topic))
    return no(`${CONTRACT_FILTER} topics are written by agents and the cloud only`)
  if (!rules.write.some((p) => matches(p, topic))) return no('no write pattern matches')
  const d = rules.deny.find((p) => matches(p, topic))
  if (d !== undefined) return no(`denied by '${d}'`)
  return ok
}

export function accountMaySubscribe(rules: AccountRules, filter: string): Verdict {
  if (filter.startsWith('$')) return no('$ topics are reserved for the broker')
  if (!isValidFilter(filter)) return no('not a valid topic filter')
  if (!covers(rules.read, filter)) return no('the filter reaches beyond the read patterns')
  const d = rules.deny.find((p) => overlaps(p, filter))
  if (d !== undefined) return no(`the filter overlaps the deny pattern '${d}'`)
  return ok
}

/** Checks an account's patterns when it is made: a pattern that can never work is an error now. */
export function patternProblems(rules: AccountRules): string[] {
  const out: string[] = []
  for (const [kind, list] of Object.entries(rules) as Array<[keyof AccountRules, string[]]>) {
    for (const p of list) {
      if (!isValidFilter(p)) out.push(`${kind} pattern '${p}' is not a valid MQTT topic filter`)
      else if (kind !== 'deny' && p.startsWith('$')) out.push(`${kind} pattern '${p}': $ topics are reserved`)
      else if (kind === 'write' && overlaps(p, CONTRACT_FILTER))
        out.push(`write pattern '${p}' reaches ${CONTRACT_FILTER}, which only agents and the cloud write`)
    }
  }
  if (rules.read.length + rules.write.length === 0) out.push('give at least one --read or --write pattern')
  return out
}
