// Issue 3's proof: a real cloud process and a real agent process reading a (pseudo-terminal) serial
// scanner. 500 scans while the broker is stopped and started, the agent SIGKILLed three times and the
// cloud once: the list ends exactly right, the outbox ends empty, no ack is lost.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gtinCheckDigit, parseBarcode } from '@relais/hardware'
import Database from 'better-sqlite3'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { CloudProcess, relaisJson } from '../../cloud/test/support/process.js'
import { PtyScanner } from '../testkit/pty.js'
import { freePort, serviceAvailable, waitFor } from '../testkit/services.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')
const t = suite('end to end: agent process, cloud process, kills and outages')
const run = serviceAvailable(
  'python3 (for the pseudo-terminal scanner)',
  PtyScanner.available(),
  'apt-get install python3',
)
  ? t
  : t.skip

const sorted = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort())

class AgentProcess {
  child?: ChildProcess
  stored: Array<{ msgId: string; code: string }> = []
  private buf = ''
  constructor(private readonly configFile: string) {}

  async start(): Promise<void> {
    let ready = false
    this.child = spawn(
      process.execPath,
      [join(root, 'edge', 'bin', 'relais-agent.mjs'), '--config', this.configFile],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    this.child.stdout!.on('data', (d) => {
      this.buf += d
      const lines = this.buf.split('\n')
      this.buf = lines.pop()!
      for (const line of lines) {
        if (!line.startsWith('{')) continue
        const l = JSON.parse(line) as { msg: string; msgId?: string; code?: string }
        if (l.msg === 'scan stored') this.stored.push({ msgId: l.msgId!, code: l.code! })
        if (l.msg === 'relais agent started') ready = true
      }
    })
    await waitFor('the agent to start', async () => ready, 30_000)
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child
    if (!c || c.exitCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      const force = setTimeout(() => c.kill('SIGKILL'), 15_000)
      c.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      c.kill(signal)
    })
  }
}

run('500 scans through kills and outages end exactly right', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-e2e-agent-'))
  const env = {
    RELAIS_DATA_DIR: join(dir, 'cloud'),
    RELAIS_MQTT_PORT: String(await freePort()),
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: String(await freePort()),
    RELAIS_HTTP_HOST: '127.0.0.1',
    // Every stored scan must count: the scanner here is faster than a hand.
    RELAIS_SCAN_DEBOUNCE_MS: '0',
  }
  const cloud = new CloudProcess(env)
  const pty = new PtyScanner(join(dir, 'scanner'))
  let agent: AgentProcess | undefined
  try {
    const household = await relaisJson(env, 'household', 'add', 'home')
    const creds = await relaisJson(env, 'agent', 'add', 'kitchen', '--household', 'home')
    await cloud.start()
    await pty.start()
    const configFile = join(dir, 'agent.json')
    writeFileSync(
      configFile,
      JSON.stringify({
        agent: { id: 'kitchen' },
        broker: { url: `mqtt://127.0.0.1:${env.RELAIS_MQTT_PORT}`, secret: creds.secret },
        dataDir: join(dir, 'agent'),
        outbox: { ackTimeoutMs: 2000, inflight: 20 },
        scanners: [
          { id: 'scanner-1', driver: 'serial', serial: { path: pty.path, terminator: 'cr' }, debounceMs: 0 },
        ],
        feedback: { kind: 'log' },
      }),
    )
    agent = new AgentProcess(configFile)
    await agent.start()

    const codes = Array.from({ length: 20 }, (_, i) => {
      const body = `761${String(i * 7919).padStart(9, '0')}`
      return body + gtinCheckDigit(body)
    })
    const stored: Array<{ msgId: string; code: string }> = []
    for (let i = 0; i < 500; i++) {
      if (i === 60) await cloud.kill('SIGTERM') // the broker goes away; scans queue on the device
      if (i === 110) await cloud.start()
      if (i === 150 || i === 250 || i === 350) {
        stored.push(...agent.stored)
        await agent.kill('SIGKILL')
        agent = new AgentProcess(configFile)
        await agent.start()
      }
      if (i === 420) {
        await cloud.kill('SIGKILL')
        await cloud.start()
      }
      const code = codes[(i * 13 + (i >> 4)) % 20]!
      const before = agent.stored.length
      pty.scan(code)
      await waitFor(`scan ${i} stored`, async () => agent!.stored.length > before, 15_000)
      assert.is(agent.stored.at(-1)!.code, code)
    }
    stored.push(...agent.stored)
    assert.is(stored.length, 500)

    const expected: Record<string, number> = {}
    for (const s of stored) {
      const key = parseBarcode(s.code).key!
      expected[key] = (expected[key] ?? 0) + 1
    }
    let got: Record<string, number> = {}
    await waitFor(
      'the list to match every stored scan',
      async () => {
        const res = await fetch(`http://127.0.0.1:${env.RELAIS_HTTP_PORT}/api/households/home/list`, {
          headers: { authorization: `Bearer ${household.token}` },
        })
        const body = (await res.json()) as { items: Array<{ key: string; quantity: number }> }
        got = Object.fromEntries(body.items.map((it) => [it.key, it.quantity]))
        return sorted(got) === sorted(expected)
      },
      90_000,
    ).catch(() => undefined)
    assert.equal(got, expected)

    await agent.kill('SIGTERM')
    const outbox = new Database(join(dir, 'agent', 'outbox.db'), { readonly: true })
    const left = (outbox.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n
    outbox.close()
    assert.is(left, 0, 'every event acked and removed')
  } finally {
    await agent?.kill('SIGKILL')
    pty.stop()
    await cloud.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
})

t.run()
