// The shop-door scenario through a real agent's beacon reader (offline: events wait in its outbox): each
// opted-in visitor enters and leaves once, the one at the edge of range never flaps, and no other beacon
// leaves a trace; the scenario plays into a simulated source on a clock.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, type Clock, parseAgentConfig, SimulatedAdvertisementSource } from '@relais/edge'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { playShopDoor, shopDoorScenario } from '../src/shop-door-scenario.js'

const t = suite('shop door scenario')

t('opted-in visitors enter and leave once each; the edge one never flaps; others leave nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-shop-door-'))
  const s = shopDoorScenario({ seed: 3, others: 60 })
  const source = new SimulatedAdvertisementSource('ble-0', pino({ level: 'silent' }))
  const agent = new Agent(
    parseAgentConfig({
      agent: { id: 'shop' },
      // Nobody listens there: the agent runs offline, its events stay in the outbox to be read here.
      broker: { url: 'mqtt://127.0.0.1:1', secret: 'x' },
      dataDir: dir,
      beacons: [{ id: 'ble-0', source: 'simulated' }],
    }),
    pino({ level: 'silent' }),
    { advertisementSource: () => source },
  )
  try {
    await agent.start()
    const reader = agent.beacons[0]!
    reader.applyConfig({ zone: 'shop-door', allow: s.allow }, 1)
    const base = 1_700_000_000_000
    let lastTick = base
    for (const a of s.advertisements) {
      reader.handle({ ...a, at: base + a.at })
      if (base + a.at - lastTick >= 1000) {
        lastTick = base + a.at
        reader.tick(lastTick)
      }
    }
    reader.tick(base + 10 * 60_000 + 60_000)
    const events = agent.outbox
      .pending(10_000)
      .map((e) => JSON.parse(e.payload) as { type: string; data: { beacon: string } })
    const byKey = new Map<string, string[]>()
    for (const e of events) byKey.set(e.data.beacon, [...(byKey.get(e.data.beacon) ?? []), e.type])
    assert.ok(
      [...byKey.keys()].every((k) => s.allow.includes(k)),
      'only opted-in beacons',
    )
    for (const b of s.beacons.filter((x) => x.optedIn)) {
      const seq = byKey.get(b.key!) ?? []
      if (b.kind === 'visit') assert.equal(seq, ['enter', 'leave'], `visitor ${b.frame.format}`)
      else assert.ok(seq.length === 0 || (seq.length === 2 && seq[0] === 'enter'), `edge: ${seq.join(',')}`)
    }
    assert.ok(reader.totals.dropped_not_allowed > 1000, 'the others were heard, and dropped')
  } finally {
    await agent.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

t('playShopDoor hears each advertisement at its offset on the clock', async () => {
  const s = shopDoorScenario({ seed: 5, others: 5, durationMs: 60_000 })
  const timers: Array<{ due: number; fn: () => void }> = []
  let now = 0
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => timers.push({ due: now + ms, fn }),
    clearTimeout: () => {},
  }
  const source = new SimulatedAdvertisementSource('ble-0', pino({ level: 'silent' }))
  await source.start()
  const heard: number[] = []
  source.on('advertisement', (a) => heard.push(a.at))
  playShopDoor(source, s, clock)
  while (timers.length > 0) {
    const next = timers.shift()!
    now = next.due
    next.fn()
  }
  assert.equal(
    heard,
    s.advertisements.map((a) => a.at),
  )
})

t.run()
