// What `relais agent add --out` writes (cloud) must be what the agent accepts (edge): the cloud cannot
// import the edge's config schema (DESIGN.md, layout), so this test, which may import both, runs the
// edge's own validation on the files the cloud wrote, for every kind (scanner, button, beacon reader).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../../cloud/src/cli/context.js'
import { main } from '../../cloud/src/cli/main.js'
import { createSite } from '../../cloud/src/domains/sites/sites.js'
import { openDatabase } from '../../cloud/src/storage/db.js'
import { loadAgentConfig } from '../../edge/src/config/load.js'

const t = suite<{ dir: string }>('agent config files from the cloud, read by the edge')

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-agent-file-'))
  const db = await openDatabase({ dataDir: ctx.dir })
  await createSite(db, { id: 'rivoli-12', address: '12 rue de Rivoli', lat: 48.86, lon: 2.35 })
  await db.destroy()
})
t.after(({ dir }) => rmSync(dir, { recursive: true, force: true }))

async function relais(dir: string, ...args: string[]): Promise<number> {
  const ctx: CliContext = {
    json: false,
    env: { RELAIS_DATA_DIR: dir, RELAIS_MQTT_PORT: '1884' },
    out: () => {},
    err: (l) => console.error(l),
    isTTY: false,
  }
  return main(args, ctx)
}

t(
  'a fridge scanner file passes the edge validation with its scanner and the broker URL given',
  async ({ dir }) => {
    assert.is(await relais(dir, 'household', 'add', 'home'), 0)
    const file = join(dir, 'kitchen.json')
    const url = 'mqtts://relais.example.net:8883'
    assert.is(
      await relais(dir, 'agent', 'add', 'kitchen', '--household', 'home', '--out', file, '--broker-url', url),
      0,
    )
    const config = loadAgentConfig(file, {})
    assert.is(config.agent.id, 'kitchen')
    assert.is(config.broker.url, url)
    assert.is(config.broker.username, 'kitchen')
    assert.ok(config.broker.secret.startsWith('ra_'))
    assert.equal(
      config.scanners.map((s) => [s.id, s.driver]),
      [['scanner-1', 'serial']],
    )
    assert.is(config.buttons.length, 0)
  },
)

t('a pickup button file passes too, with this host as the default broker', async ({ dir }) => {
  const file = join(dir, 'box.json')
  assert.is(await relais(dir, 'agent', 'add', 'box-12', '--site', 'rivoli-12', '--out', file), 0)
  const config = loadAgentConfig(file, {})
  assert.match(config.broker.url, /^mqtt:\/\/[^/]+:1884$/)
  assert.is(config.broker.caFile, undefined, 'no CA file for a plain mqtt:// URL (the edge refuses one)')
  assert.equal(
    config.buttons.map((b) => [b.id, b.io]),
    [['button', 'linux']],
  )
})

t('a beacon reader file passes too, with the Pi adapter as its source', async ({ dir }) => {
  const file = join(dir, 'door.json')
  assert.is(await relais(dir, 'agent', 'add', 'shop-door', '--zone', 'front', '--out', file), 0)
  const config = loadAgentConfig(file, {})
  assert.equal(
    config.beacons.map((b) => [b.id, b.source]),
    [['ble-0', 'noble']],
  )
  assert.equal([config.scanners.length, config.buttons.length], [0, 0])
})

t.run()
