// The agent as shipped to the Pi: the esbuild bundle checks configs and runs against a broker, the
// example config is valid, and the systemd unit keeps its promises (DESIGN.md, hardware notes).
// By default the pruned node_modules is not installed (better-sqlite3 may compile for minutes): the
// bundle's folder gets a link to the repository's node_modules instead. NODE_PATH would not do, since
// ESM imports ignore it. RELAIS_TEST_AGENT_INSTALL=1 runs the real npm install.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAgentConfig } from '../../edge/src/config/load.js'
import { Outbox } from '../../edge/src/outbox/outbox.js'
import { FakeCloud } from '../../edge/test/support/fake-cloud.js'
import { type BuildAgentResult, buildAgent, RUNTIME_PACKAGES } from '../build-agent.js'
import { waitFor } from '../testkit/services.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')
const example = join(root, 'hardware', 'devices', 'scanner', 'agent.example.json')
const unit = join(root, 'hardware', 'systemd', 'relais-agent.service')
const install = process.env.RELAIS_TEST_AGENT_INSTALL === '1'

const t = suite<{ dir: string; built: BuildAgentResult }>('the agent built for the device')

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-build-agent-'))
  ctx.built = await buildAgent({ outDir: join(ctx.dir, 'agent'), install })
  if (!install) symlinkSync(join(root, 'node_modules'), join(ctx.built.outDir, 'node_modules'), 'dir')
})
t.after((ctx) => rmSync(ctx.dir, { recursive: true, force: true }))

function startBundle(ctx: { built: BuildAgentResult }, args: string[]) {
  const child = spawn(process.execPath, ['--enable-source-maps', ctx.built.bundle, ...args], {
    cwd: ctx.built.outDir,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  child.stdout!.on('data', (d) => {
    out.stdout += d
  })
  child.stderr!.on('data', (d) => {
    out.stderr += d
  })
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return { child, out, exited }
}

async function runBundle(ctx: { built: BuildAgentResult }, args: string[]) {
  const { out, exited } = startBundle(ctx, args)
  const code = await exited
  return { code, ...out }
}

t('the example config is valid and matches the scanner README and wiring page', () => {
  const c = parseAgentConfig(JSON.parse(readFileSync(example, 'utf8')), example)
  assert.equal(
    [c.scanners[0]?.driver, c.scanners[0]?.serial?.path, c.scanners[0]?.serial?.terminator],
    ['serial', '/dev/relais-scanner', 'cr'],
  )
  assert.is(c.feedback.kind, 'johnny-five')
  assert.equal(c.feedback.johnnyFive?.pins, { red: 9, green: 10, blue: 11, buzzer: 3 })
  // The unit's StateDirectory and forced RELAIS_AGENT_DATA_DIR name the same place as the default.
  assert.is(c.dataDir, '/var/lib/relais-agent')
})

t('the bundle ships the native packages at the lock file versions, nothing else', (ctx) => {
  const manifest = JSON.parse(readFileSync(join(ctx.built.outDir, 'package.json'), 'utf8'))
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
  assert.equal(
    manifest.dependencies,
    Object.fromEntries(RUNTIME_PACKAGES.map((p) => [p, lock.packages[`node_modules/${p}`].version])),
  )
  const head = readFileSync(ctx.built.bundle, 'utf8').slice(0, 300)
  assert.match(head, 'createRequire')
})

t('the bundle accepts the example config with --check-config', async (ctx) => {
  const r = await runBundle(ctx, ['--check-config', example])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, 'valid (agent kitchen, 1 scanner(s), feedback johnny-five)')
})

t('the bundle refuses a broken config with exit 1, listing every problem', async (ctx) => {
  const broken = join(ctx.dir, 'broken.json')
  writeFileSync(
    broken,
    JSON.stringify({
      agent: { id: 'Kitchen!' },
      broker: { url: 'http://broker:1883' },
      outbox: { inflight: 0 },
      scanners: [{ id: 'scanner-1', driver: 'usb' }],
      colour: 'blue',
    }),
  )
  const r = await runBundle(ctx, ['--check-config', broken])
  assert.is(r.code, 1)
  for (const path of [
    'agent.id',
    'broker.url',
    'broker.secret',
    'outbox.inflight',
    'scanners.0.driver',
    'colour',
  ])
    assert.match(r.stderr, `  - ${path}:`)
  assert.not.match(r.stderr, '    at ', 'no stack trace')
})

t('the bundle runs the agent: birth, a scan through the outbox acked, offline on SIGTERM', async (ctx) => {
  const cloud = new FakeCloud()
  await cloud.start()
  const dataDir = join(ctx.dir, 'data')
  const config = join(ctx.dir, 'run.json')
  writeFileSync(
    config,
    JSON.stringify({
      agent: { id: 'kitchen' },
      broker: { url: `mqtt://127.0.0.1:${cloud.port}`, secret: 'unused-by-the-fake' },
      dataDir,
      // One scan: the code comes back every 300 ms, but the debounce window swallows the repeats.
      scanners: [
        { id: 'scanner-1', driver: 'simulated', simulated: { codes: ['3017620422003'], intervalMs: 300 } },
      ],
    }),
  )
  const agent = startBundle(ctx, ['--config', config])
  try {
    await waitFor('the scan to reach the cloud', async () => cloud.events.length > 0, 30_000)
    assert.is((cloud.events[0]!.data as { code: string }).code, '3017620422003')
    const status = cloud.on(topics.status('kitchen'))[0]!
    assert.equal([status.retain, (status.message.data as { state: string }).state], [true, 'online'])
    // SIGTERM drains the outbox (the fake acks at once) before the agent stops.
    agent.child.kill('SIGTERM')
    assert.is(await agent.exited, 0, agent.out.stderr)
    const last = cloud.on(topics.status('kitchen')).at(-1)!.message.data as { state: string; reason?: string }
    assert.equal(last, { state: 'offline', reason: 'shutdown' })
    const outbox = new Outbox({ dataDir, maxEntries: 100 })
    assert.is(outbox.depth, 0, 'the acked scan left the outbox')
    outbox.close()
  } finally {
    agent.child.kill('SIGKILL')
    await cloud.stop()
  }
})

t('the systemd unit: notify with a watchdog, restarted forever, memory capped', () => {
  const lines = readFileSync(unit, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
  const has = (line: string) => assert.ok(lines.includes(line), `${line} in relais-agent.service`)
  has('Type=notify')
  has('NotifyAccess=all')
  has('Restart=always')
  has('StartLimitIntervalSec=0')
  has('WatchdogSec=30')
  has('MemoryMax=150M')
  has('StateDirectory=relais-agent')
  has('User=relais')
  assert.ok(
    lines.some((l) => l.startsWith('ExecStart=') && l.includes('/opt/relais-agent/relais-agent.mjs')),
    'ExecStart runs the bundle',
  )
})

t.run()
