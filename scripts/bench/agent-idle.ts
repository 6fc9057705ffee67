// Phase 1, the idle footprint: an agent with an idle simulated scanner beside its baseline, a bare Node
// process holding one MQTT.js connection to the same broker as another agent account. Both forms at
// once (the bundle on plain node, the sources through tsx), each agent against the baseline of the
// same form; all four settle, then are sampled over the same window.
import { join } from 'node:path'
import { type Footprint, Meter } from './agent-meter.js'
import type { BenchProcess } from './agent-procs.js'
import {
  type Bundles,
  type Cloud,
  type Form,
  startAgent,
  startBare,
  writeAgentConfig,
} from './agent-setup.js'

export interface IdlePair {
  form: Form
  agent: Footprint
  baseline: Footprint
  /** Agent RSS / baseline RSS (means over the window). */
  rssRatio: number
}

export interface IdleOptions {
  forms: Form[]
  settleMs: number
  sampleMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * `whileSettling` runs during the settle, and the window waits for it: the idle processes do nothing
 * then but wait for V8 to hand back start-up heap, so another phase can use that time (the bench has
 * a time budget) and is gone before their window opens.
 */
export async function measureIdle<T>(
  dir: string,
  cloud: Cloud,
  bundles: Bundles,
  o: IdleOptions,
  progress: (line: string) => void,
  whileSettling: () => Promise<T>,
): Promise<{ pairs: IdlePair[]; during: T }> {
  const procs: Array<{ form: Form; agent: BenchProcess; bare: BenchProcess }> = []
  try {
    o.forms.forEach((form, i) => {
      const [a, b] = [cloud.creds[2 * i]!, cloud.creds[2 * i + 1]!]
      const config = writeAgentConfig(join(dir, `idle-${form}.json`), {
        cred: a,
        url: cloud.url,
        dataDir: join(dir, `idle-${form}`),
      })
      procs.push({
        form,
        agent: startAgent(form, config, bundles),
        bare: startBare(form, b, cloud.url, bundles),
      })
    })
    for (const p of procs) {
      await p.agent.waitLine('connected to the broker', (l) => l.msg === 'connected')
      await p.bare.waitLine('connected to the broker', (l) => l.msg === 'connected')
    }
    progress(`idle: ${procs.length * 2} processes connected; settling ${o.settleMs / 1000} s`)
    const [during] = await Promise.all([whileSettling(), sleep(o.settleMs)])
    progress(`idle: sampling RSS and CPU for ${o.sampleMs / 1000} s`)
    const meters = procs.map((p) => ({
      form: p.form,
      agent: new Meter(p.agent.pid),
      bare: new Meter(p.bare.pid),
    }))
    await sleep(o.sampleMs)
    const pairs = meters.map((m) => {
      const agent = m.agent.stop()
      const baseline = m.bare.stop()
      return { form: m.form, agent, baseline, rssRatio: agent.rssMB / baseline.rssMB }
    })
    return { pairs, during }
  } finally {
    await Promise.all(procs.flatMap((p) => [p.agent.stop(), p.bare.stop()]))
  }
}
