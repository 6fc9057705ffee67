// With the online lookup switched on, a scan of a code the catalogue lacks is acked as unknown at once,
// then named from Open Food Facts (here a local server replaying recorded answers) and leaves the inbox.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { startTestCloud, TestDevice } from './support/harness.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'off-api')
const t = suite('unknown products named from the online catalogue')

t('an unknown scan is acked at once, then named from OFF; a code OFF lacks stays in the inbox', async () => {
  const requests: string[] = []
  const off = createServer((req, res) => {
    requests.push(req.url ?? '')
    const code = /^\/api\/v2\/product\/(\d+)\.json/.exec(req.url ?? '')?.[1]
    try {
      const body = readFileSync(join(FIXTURES, `${code}.json`))
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    } catch {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"status":0,"status_verbose":"product not found"}')
    }
  })
  await new Promise<void>((r) => off.listen(0, '127.0.0.1', r))
  const port = (off.address() as AddressInfo).port
  const tc = await startTestCloud({ RELAIS_OFF_LOOKUP: 'on', RELAIS_OFF_API_URL: `http://127.0.0.1:${port}` })
  try {
    await tc.household('home')
    const a = await tc.agent('kitchen', 'home')
    const dev = new TestDevice(await tc.connect('kitchen', 'kitchen', a.secret), 'kitchen')
    await dev.subscribeAcks()
    const nutella = await dev.scan('3017620422003')
    assert.is(nutella.ack.outcome, 'unknown_product', 'the ack never waits for the lookup')
    const unknown = await dev.scan('96385074')
    assert.is(unknown.ack.outcome, 'unknown_product')
    await waitFor('both lookups', async () => requests.length >= 2)
    await tc.cloud.resolver!.idle()
    const items = await tc.cloud.db
      .selectFrom('items')
      .select(['display_code', 'name', 'unknown'])
      .orderBy('display_code')
      .execute()
    assert.equal(items, [
      { display_code: '3017620422003', name: 'Nutella', unknown: 0 },
      { display_code: '96385074', name: null, unknown: 1 },
    ])
    const inbox = await tc.cloud.db.selectFrom('unknown_products').select('display_code').execute()
    assert.equal(inbox, [{ display_code: '96385074' }])
    const again = await dev.scan('3017620422003', { ts: Date.now() + 10_000 })
    assert.equal([again.ack.outcome, (again.ack.item as { name: string }).name], ['incremented', 'Nutella'])
  } finally {
    await tc.stop()
    off.close()
  }
})

t.run()
