// An agent's class, from the kinds of the devices in its birth (info): a mains-powered scanner or beacon
// reader reports every few seconds, a battery button wakes rarely. Silence past the class's timeout
// means the agent is gone even when no will came (a half-open TCP connection, a broker that lost it).

export interface SilenceSettings {
  /** Per device kind (scanner, button, beacon); `default` for an agent whose kinds are unknown. */
  silenceMs: Readonly<Record<string, number>> & { default: number }
}

/**
 * The shortest timeout among its kinds: an agent that carries a scanner is mains-powered and reports
 * like one, even if a button hangs off it too.
 */
export function silenceTimeoutMs(kinds: readonly string[], s: SilenceSettings): number {
  let best: number | undefined
  for (const k of kinds) {
    const v = s.silenceMs[k]
    if (v !== undefined && (best === undefined || v < best)) best = v
  }
  return best ?? s.silenceMs.default
}
