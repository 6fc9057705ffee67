// Agent kinds and where each is placed: a fridge scanner in a household, a pickup button at a site, a
// beacon reader in a zone (DESIGN.md, the three kinds of connected object). The placement names the kind
// when no kind is given.
import { invalid } from '../../lib/errors.js'

export const AGENT_KINDS = ['scanner', 'button', 'beacon'] as const
export type AgentKind = (typeof AGENT_KINDS)[number]

export function isAgentKind(v: unknown): v is AgentKind {
  return typeof v === 'string' && (AGENT_KINDS as readonly string[]).includes(v)
}

const PLACEMENT: Record<AgentKind, 'householdId' | 'siteId' | 'zoneId'> = {
  scanner: 'householdId',
  button: 'siteId',
  beacon: 'zoneId',
}
const FLAG = { householdId: 'household', siteId: 'site', zoneId: 'zone' } as const

export interface Placement {
  kind: AgentKind
  householdId: string | null
  siteId: string | null
  zoneId: string | null
}

/** Exactly one placement, the one of the kind: an agent is where its devices are. */
export function placementOf(input: {
  kind?: string
  householdId?: string
  siteId?: string
  zoneId?: string
}): Placement {
  const given = (['householdId', 'siteId', 'zoneId'] as const).filter((k) => input[k] !== undefined)
  if (given.length !== 1) throw invalid('give exactly one placement: a household, a site or a zone')
  const where = given[0]!
  const byPlacement = (Object.keys(PLACEMENT) as AgentKind[]).find((k) => PLACEMENT[k] === where)!
  if (input.kind !== undefined && !isAgentKind(input.kind))
    throw invalid(`kind must be one of ${AGENT_KINDS.join(', ')}`)
  const kind = (input.kind as AgentKind | undefined) ?? byPlacement
  if (PLACEMENT[kind] !== where) throw invalid(`a ${kind} is placed with a ${FLAG[PLACEMENT[kind]]}`)
  return {
    kind,
    householdId: input.householdId ?? null,
    siteId: input.siteId ?? null,
    zoneId: input.zoneId ?? null,
  }
}
