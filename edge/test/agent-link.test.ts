// The agent against a broker: birth, scans through the outbox, acks, resends, offline queueing,
// the will on a crash, and offline published on a clean stop.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope, topics } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { Agent } from '../src/agent.js'
import { parseAgentConfig } from '../src/config/load.js'
import { SimulatedScanner } from '../src/drivers/scanner/simulated.js'
import type { Feedback, FeedbackSignal } from '../src/feedback/types.js'
import { FakeCloud } from './support/fake-cloud.js'

class RecordingFeedback implements Feedback {
  readonly name = 'recording'
  readonly shown: FeedbackSignal[] = []
  async start() {}
  async stop() {}
  show(signal: FeedbackSignal) {
    this.shown.push(signal)
  }
}

const t = suite<{
  cloud: FakeCloud
  dir: string
  agent?: Agent
  feedback: RecordingFeedback
  scanner?: SimulatedScanner
}>('agent link')

t.before.each(async (ctx) => {
  ctx.cloud = new FakeCloud()
  await ctx.cloud.start()
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-agent-'))
  ctx.feedback = new RecordingFeedback()
})
t.after.each(async (ctx) => {
  await ctx.agent?.stop()
  await ctx.cloud.stop()
  rmSync(ctx.dir, { recursive: true, force: true })
})

async function startAgent(
  ctx: {
    cloud: FakeCloud
    dir: string
    agent?: Agent
    feedback: RecordingFeedback
    scanner?: SimulatedScanner
  },
  over: Record<string, unknown> = {},
) {
  const config = parseAgentConfig({
    agent: { id: 'kitchen' },
    broker: { url: `mqtt://127.0.0.1:${ctx.cloud.port}`, secret: 'unused-by-the-fake' },
    dataDir: ctx.dir,
    outbox: { ackTimeoutMs: 300, inflight: 5 },
    scanners: [{ id: 'scanner-1', driver: 'simulated', debounceMs: 0 }],
    feedback: { kind: 'log' },
    ...over,
  })
  ctx.agent = new Agent(config, pino({ level: 'silent' }), {
    feedback: ctx.feedback,
    scanSource: (sc) => {
      ctx.scanner = new SimulatedScanner(
        sc.id,
        { codes: [], intervalMs: 1_000_000 },
        pino({ level: 'silent' }),
      )
      return ctx.scanner
    },
  })
  await ctx.agent.start()
  return ctx.agent
}

const scan = (ctx: { scanner?: SimulatedScanner }, code: string) => ctx.scanner!.push(code)

t('publishes its birth: status online, info, the device status, all retained', async (ctx) => {
  await startAgent(ctx)
  await waitFor('birth', async () => ctx.cloud.on(topics.deviceStatus('kitchen', 'scanner-1')).length > 0)
  const status = ctx.cloud.on(topics.status('kitchen'))[0]!
  assert.equal(
    [status.retain, status.qos, (status.message.data as { state: string }).state],
    [true, 1, 'online'],
  )
  const info = ctx.cloud.on(topics.info('kitchen'))[0]!
  assert.equal((info.message.data as { devices: unknown }).devices, [{ id: 'scanner-1', kind: 'scanner' }])
  assert.ok(ctx.cloud.on(topics.deviceStatus('kitchen', 'scanner-1'))[0]!.retain)
})

t('a scan goes through the outbox, is acked, and the outcome is shown', async (ctx) => {
  const agent = await startAgent(ctx)
  await waitFor('connected', async () => agent.link.connected)
  scan(ctx, '3017620422003')
  await waitFor('acked', async () => ctx.feedback.shown.includes('added'))
  assert.equal(ctx.feedback.shown.slice(0, 2), ['received', 'added'])
  assert.is(agent.outbox.depth, 0)
  const e = ctx.cloud.events[0]!
  assert.equal(
    [e.agent, e.device, e.type, (e.data as { code: string }).code],
    ['kitchen', 'scanner-1', 'scan', '3017620422003'],
  )
})

t('without an ack the same event is sent again with the same id, and kept until acked', async (ctx) => {
  ctx.cloud.answer = () => undefined
  const agent = await startAgent(ctx)
  await waitFor('connected', async () => agent.link.connected)
  scan(ctx, '3017620422003')
  await waitFor('three sends', async () => ctx.cloud.events.length >= 3)
  assert.is(new Set(ctx.cloud.events.map((e) => e.id)).size, 1)
  assert.is(agent.outbox.depth, 1)
  ctx.cloud.answer = () => ({ outcome: 'incremented' })
  await waitFor('acked', async () => agent.outbox.depth === 0)
  assert.ok(ctx.feedback.shown.includes('incremented'))
})

t('offline scans are queued, shown as such, and sent in order when the broker is back', async (ctx) => {
  const agent = await startAgent(ctx)
  await waitFor('connected', async () => agent.link.connected)
  const port = ctx.cloud.port
  await ctx.cloud.stop()
  await waitFor('disconnected', async () => !agent.link.connected)
  const codes = ['3017620422003', '4006381333931', '96385074', '5449000000996']
  for (const c of codes) scan(ctx, c)
  assert.equal(ctx.feedback.shown.filter((s) => s === 'queued_offline').length, 4)
  assert.is(agent.outbox.depth, 4)
  const back = new FakeCloud()
  await back.start(port)
  ctx.cloud = back
  await waitFor('drained after reconnect', async () => agent.outbox.depth === 0, 30_000)
  // A resend after an ack timeout on a loaded machine repeats an id (the cloud applies it once), so the
  // order is that of each id's first send.
  const firsts = [...new Map(back.events.map((e) => [e.id, (e.data as { code: string }).code])).values()]
  assert.equal(firsts, codes)
  assert.ok(back.on(topics.status('kitchen')).length > 0, 'birth published again after the reconnect')
})

t('invalid codes are refused on the device; mode codes switch the mode and mark the events', async (ctx) => {
  const agent = await startAgent(ctx)
  await waitFor('connected', async () => agent.link.connected)
  scan(ctx, '3017620422004')
  assert.equal(ctx.feedback.shown, ['rejected'])
  scan(ctx, 'RELAIS-MODE-REMOVE')
  scan(ctx, '3017620422003')
  scan(ctx, 'RELAIS-MODE-ADD')
  scan(ctx, 'RELAIS-UNDO')
  await waitFor('two events', async () => ctx.cloud.events.length >= 2)
  assert.equal(
    ctx.cloud.events.map((e) => e.data),
    [
      { code: '3017620422003', mode: 'remove' },
      { code: 'RELAIS-UNDO', mode: 'undo' },
    ],
  )
  assert.ok(ctx.feedback.shown.includes('mode_remove') && ctx.feedback.shown.includes('mode_add'))
})

t(
  'rebirth re-publishes the birth; identify shows itself; a config push applies without a restart',
  async (ctx) => {
    const agent = await startAgent(ctx)
    await waitFor('connected', async () => agent.link.connected)
    const births = () => ctx.cloud.on(topics.info('kitchen')).length
    const before = births()
    const send = (topic: string, type: string, data: Record<string, unknown>, retain = false) =>
      ctx.cloud.aedes!.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(
            JSON.stringify(makeEnvelope({ agent: 'kitchen', type, session: 'cloud', seq: 0, data })),
          ),
          qos: 1,
          retain,
          dup: false,
        },
        () => {},
      )
    send(topics.cmd('kitchen', 'rebirth'), 'rebirth', {})
    await waitFor('a second birth', async () => births() > before)
    send(topics.cmd('kitchen', 'identify'), 'identify', {})
    await waitFor('identify shown', async () => ctx.feedback.shown.includes('identify'))
    send(
      topics.config('kitchen'),
      'config',
      { revision: 3, scanners: { 'scanner-1': { debounceMs: 60_000, modes: { undo: 'OOPS' } } } },
      true,
    )
    await waitFor('config applied', async () => agent.inbox.revision === 3)
    scan(ctx, '3017620422003')
    scan(ctx, '3017620422003')
    scan(ctx, 'OOPS')
    await waitFor('two events', async () => ctx.cloud.events.length >= 2)
    assert.equal(
      ctx.cloud.events.map((e) => (e.data as { mode?: string }).mode ?? 'add'),
      ['add', 'undo'],
      'debounced, and the new undo code works',
    )
  },
)

t('a clean stop publishes offline itself, the outbox kept on disk', async (ctx) => {
  ctx.cloud.answer = () => undefined
  const agent = await startAgent(ctx)
  await waitFor('connected', async () => agent.link.connected)
  scan(ctx, '3017620422003')
  await agent.stop()
  ctx.agent = undefined
  const statuses = ctx.cloud
    .on(topics.status('kitchen'))
    .map((p) => (p.message.data as { state: string }).state)
  assert.equal(statuses.at(-1), 'offline')
  const again = await startAgent(ctx)
  assert.is(again.outbox.depth, 1, 'the unacked scan survived the restart')
})

t.run()
