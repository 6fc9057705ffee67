// The allow-lists pushed to readers in their agent's retained config: at start, on a grant, on a
// revocation (within the one push the API waits for), on expiry, on a placement change and on erasure;
// the revision grows every time and the envelope passes the contract's own validation.
import { decodeMessage, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import { connectReader, KEY_A, KEY_B, member, type Reader, zone } from './support/presence.js'

const t = suite<{ tc: TestCloud; reader: Reader; ops: string }>('presence allow-lists')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  await zone(ctx.tc.cloud.db, 'shop-door')
  await zone(ctx.tc.cloud.db, 'back-office')
  ctx.ops = await createToken(ctx.tc.cloud.db, { scope: 'ops', name: 'ops' })
  ctx.reader = await connectReader(ctx.tc, 'door-pi', 'shop-door')
})
t.after(async (ctx) => ctx.tc.stop())

const allowOf = (c: Reader['configs'][number]) => c.data.beacons?.['ble-0']?.allow ?? []
let first: { id: string; token: string; consent?: { id: string } } | undefined
const latest = (r: Reader) => r.configs[r.configs.length - 1]!

t('a grant puts the key on the list; the config is retained, valid and its revision grows', async (ctx) => {
  const { tc, reader } = ctx
  await tc.cloud.allowLists!.refresh()
  const empty = await reader.waitConfig((c) => c.data.beacons?.['ble-0'] !== undefined)
  assert.equal(empty.data.beacons, { 'ble-0': { zone: 'shop-door', allow: [] } })
  const m = await member(tc.cloud.db, KEY_A, 'shop-door')
  await tc.cloud.allowLists!.refresh()
  const granted = await reader.waitConfig((c) => allowOf(c).includes(KEY_A))
  assert.ok(granted.data.revision > empty.data.revision)
  const d = decodeMessage(topics.config('door-pi'), Buffer.from(JSON.stringify(granted)))
  assert.ok(d.ok, 'the contract accepts the config envelope')

  // Retained: subscribing again (a reader that restarts) gets the latest config at once.
  const got = new Promise<Buffer>((resolve) => {
    const on = (topic: string, payload: Buffer, packet: { retain: boolean }) => {
      if (topic !== topics.config('door-pi') || !packet.retain) return
      reader.client.off('message', on)
      resolve(payload)
    }
    reader.client.on('message', on)
  })
  await reader.client.unsubscribeAsync(topics.config('door-pi'))
  await reader.client.subscribeAsync(topics.config('door-pi'), { qos: 1 })
  assert.is(JSON.parse((await got).toString()).data.revision, granted.data.revision)
  first = m
})

t('revoking through the API publishes a list without the key before it answers', async (ctx) => {
  const { tc, reader } = ctx
  const m = first!
  const before = latest(reader).data.revision
  const res = await tc.cloud.app.inject({
    method: 'DELETE',
    url: `/api/members/${m.id}/consents/${m.consent!.id}`,
    headers: { authorization: `Bearer ${m.token}` },
  })
  assert.is(res.statusCode, 200, res.body)
  assert.equal([res.json().revokedBy, typeof res.json().revokedAt], [`member:${m.id}`, 'number'])
  const revoked = await reader.waitConfig((c) => c.data.revision > before)
  assert.equal(allowOf(revoked), [], 'the next config the reader receives no longer holds the key')
})

t('a consent that expires leaves the list when it expires', async (ctx) => {
  const { tc, reader } = ctx
  const m = await member(tc.cloud.db, KEY_B, 'shop-door', { expiresAt: Date.now() + 400 })
  await tc.cloud.allowLists!.refresh()
  const on = await reader.waitConfig((c) => allowOf(c).includes(KEY_B))
  const off = await reader.waitConfig(
    (c) => c.data.revision > on.data.revision && !allowOf(c).includes(KEY_B),
  )
  assert.ok(off)
  const audit = await tc.cloud.db
    .selectFrom('consent_audit')
    .select(['action', 'by'])
    .where('member_id', '=', m.id)
    .orderBy('at')
    .execute()
  assert.equal(audit, [
    { action: 'granted', by: 'ops:test' },
    { action: 'expired', by: 'system' },
  ])
})

t('moving the reader to another zone gives it that zone and its list', async (ctx) => {
  const { tc, reader, ops } = ctx
  await member(tc.cloud.db, `altbeacon:${'1'.repeat(40)}`, 'back-office')
  const before = latest(reader).data.revision
  const res = await tc.cloud.app.inject({
    method: 'PUT',
    url: '/api/zones/back-office/readers',
    headers: { authorization: `Bearer ${ops}` },
    payload: { agent: 'door-pi' },
  })
  assert.is(res.statusCode, 200, res.body)
  const moved = await reader.waitConfig((c) => c.data.revision > before)
  assert.equal(moved.data.beacons, {
    'ble-0': { zone: 'back-office', allow: [`altbeacon:${'1'.repeat(40)}`] },
  })
})

t('erasing a member takes their keys off every list', async (ctx) => {
  const { tc, reader, ops } = ctx
  const m = await member(tc.cloud.db, `altbeacon:${'2'.repeat(40)}`, 'back-office')
  await tc.cloud.allowLists!.refresh()
  await reader.waitConfig((c) => allowOf(c).includes(`altbeacon:${'2'.repeat(40)}`))
  const before = latest(reader).data.revision
  const res = await tc.cloud.app.inject({
    method: 'DELETE',
    url: `/api/members/${m.id}`,
    headers: { authorization: `Bearer ${ops}` },
  })
  assert.is(res.statusCode, 200, res.body)
  const after = await reader.waitConfig((c) => c.data.revision > before)
  assert.equal(allowOf(after), [`altbeacon:${'1'.repeat(40)}`])
})

t('a restarted publisher sends every reader its config again, with the same revision', async (ctx) => {
  const { tc, reader } = ctx
  const last = latest(reader)
  const count = reader.configs.length
  await tc.cloud.allowLists!.stop()
  await tc.cloud.allowLists!.start()
  const again = await reader.waitConfig((c) => reader.configs.indexOf(c) >= count)
  assert.equal([again.data.revision, again.data.beacons], [last.data.revision, last.data.beacons])
})

t.run()
