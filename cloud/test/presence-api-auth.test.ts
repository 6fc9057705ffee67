// Who reaches each presence route, for every token kind: ops everywhere; a zone token its own zone's
// view and stream; a member token only their own data, export, erasure, consents and beacon removal;
// household, courier and site tokens none of it; no token is a 401.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createHousehold } from '../src/domains/households/households.js'
import { createSite } from '../src/domains/sites/sites.js'
import { createToken, issueToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import { KEY_A, KEY_B, member, zone } from './support/presence.js'

type Ctx = { tc: TestCloud; tokens: Record<string, string>; a: string; b: string; consentA: string }
const t = suite<Ctx>('presence API access')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  const db = ctx.tc.cloud.db
  await zone(db, 'shop-door')
  await zone(db, 'back-office')
  await createSite(db, { id: 'rue-1', address: '1 rue', lat: 48.85, lon: 2.35 })
  const a = await member(db, KEY_A, 'shop-door')
  const b = await member(db, KEY_B, 'shop-door')
  ctx.a = a.id
  ctx.b = b.id
  ctx.consentA = a.consent!.id
  ctx.tokens = {
    ops: await createToken(db, { scope: 'ops', name: 'ops' }),
    zone: (await issueToken(db, { scope: 'zone', zoneId: 'shop-door' })).token,
    otherZone: (await issueToken(db, { scope: 'zone', zoneId: 'back-office' })).token,
    memberA: a.token,
    memberB: b.token,
    household: (await createHousehold(db, { id: 'home' })).token,
    courier: await createToken(db, { scope: 'courier', name: 'c' }),
    site: (await issueToken(db, { scope: 'site', siteId: 'rue-1' })).token,
  }
})
t.after(async (ctx) => ctx.tc.stop())

async function status(ctx: Ctx, token: string | undefined, method: string, url: string, payload?: object) {
  const res = await ctx.tc.cloud.app.inject({
    method: method as 'GET',
    url,
    payload,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })
  return res.statusCode
}

t('the zone view: ops and that zone only', async (ctx) => {
  const url = '/api/zones/shop-door/present'
  const got: Record<string, number> = {}
  for (const [name, token] of Object.entries(ctx.tokens)) got[name] = await status(ctx, token, 'GET', url)
  assert.equal(got, {
    ops: 200,
    zone: 200,
    otherZone: 403,
    memberA: 403,
    memberB: 403,
    household: 403,
    courier: 403,
    site: 403,
  })
  assert.is(await status(ctx, undefined, 'GET', url), 401)
  assert.is(await status(ctx, ctx.tokens.zone, 'GET', '/api/zones/back-office/present'), 403)
})

t("a member's data: ops and that member only", async (ctx) => {
  for (const url of [`/api/members/${ctx.a}`, `/api/members/${ctx.a}/export`]) {
    const got: Record<string, number> = {}
    for (const [name, token] of Object.entries(ctx.tokens)) got[name] = await status(ctx, token, 'GET', url)
    assert.equal(got, {
      ops: 200,
      zone: 403,
      otherZone: 403,
      memberA: 200,
      memberB: 403,
      household: 403,
      courier: 403,
      site: 403,
    })
  }
  // A member token cannot revoke, erase or grant for another member.
  const other = `/api/members/${ctx.a}`
  assert.is(await status(ctx, ctx.tokens.memberB, 'DELETE', `${other}/consents/${ctx.consentA}`), 403)
  assert.is(await status(ctx, ctx.tokens.memberB, 'DELETE', other), 403)
  assert.is(await status(ctx, ctx.tokens.memberB, 'POST', `${other}/consents`, { zone: 'back-office' }), 403)
})

t('registration, beacons and placement: ops only', async (ctx) => {
  const calls: Array<[string, string, object?]> = [
    ['POST', '/api/members', {}],
    ['POST', `/api/members/${ctx.b}/beacons`, { key: `altbeacon:${'9'.repeat(40)}` }],
    ['POST', '/api/zones', { id: 'cafe' }],
    ['GET', '/api/zones'],
    ['PUT', '/api/zones/shop-door/readers', { agent: 'nobody' }],
  ]
  for (const [method, url, payload] of calls) {
    for (const name of ['zone', 'memberB', 'household', 'courier', 'site']) {
      assert.is(await status(ctx, ctx.tokens[name], method, url, payload), 403, `${name} ${method} ${url}`)
    }
  }
  assert.is(await status(ctx, ctx.tokens.ops, 'POST', '/api/members', { ref: 'loyalty-hash-1' }), 201)
  assert.is(await status(ctx, ctx.tokens.ops, 'POST', '/api/zones', { id: 'cafe', name: 'Café' }), 201)
  assert.is(
    await status(ctx, ctx.tokens.ops, 'PUT', '/api/zones/shop-door/readers', { agent: 'nobody' }),
    404,
  )
})

t('a member grants and revokes their own consent; each change is audited with who', async (ctx) => {
  const res = await ctx.tc.cloud.app.inject({
    method: 'POST',
    url: `/api/members/${ctx.b}/consents`,
    headers: { authorization: `Bearer ${ctx.tokens.memberB}` },
    payload: { zone: 'back-office' },
  })
  assert.is(res.statusCode, 201, res.body)
  assert.equal(
    [res.json().zone, res.json().purpose, res.json().grantedBy],
    ['back-office', 'presence', `member:${ctx.b}`],
  )
  const again = await status(ctx, ctx.tokens.memberB, 'POST', `/api/members/${ctx.b}/consents`, {
    zone: 'back-office',
  })
  assert.is(again, 409, 'one live consent per zone and purpose')
  const bad = await status(ctx, ctx.tokens.memberB, 'POST', `/api/members/${ctx.b}/consents`, {
    zone: 'back-office',
    purpose: 'marketing',
  })
  assert.is(bad, 400)
  const revoke = await status(
    ctx,
    ctx.tokens.ops,
    'DELETE',
    `/api/members/${ctx.b}/consents/${res.json().id}`,
  )
  assert.is(revoke, 200)
  const data = await ctx.tc.cloud.app.inject({
    method: 'GET',
    url: `/api/members/${ctx.b}`,
    headers: { authorization: `Bearer ${ctx.tokens.memberB}` },
  })
  const audit = (data.json().audit as Array<{ action: string; zone: string; by: string }>).map((a) => [
    a.action,
    a.zone,
    a.by.split(':')[0],
  ])
  assert.equal(audit, [
    ['granted', 'shop-door', 'ops'],
    ['granted', 'back-office', 'member'],
    ['revoked', 'back-office', 'ops'],
  ])
})

t('an erased member token no longer opens anything', async (ctx) => {
  assert.is(await status(ctx, ctx.tokens.memberA, 'DELETE', `/api/members/${ctx.a}`), 200)
  assert.is(await status(ctx, ctx.tokens.memberA, 'GET', `/api/members/${ctx.a}`), 401)
  assert.is(await status(ctx, ctx.tokens.ops, 'GET', `/api/members/${ctx.a}`), 404)
})

t.run()
