// The shop door of `npm start` (scripts/start-door.ts) provisions what it prints: the staff page and
// the member page answer with their tokens, the reader's agent hears the scenario, and the printed
// member is on the staff view and on their own page soon after the afternoon starts. A restart on the
// same data dir reuses the same zone, members and tokens. The scenario plays on a clock the test steps.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Cloud } from '../../cloud/src/app/cloud.js'
import { loadConfig } from '../../cloud/src/app/config.js'
import type { MemberData } from '../../cloud/src/domains/presence/member-data.js'
import { type DoorDemo, startDoorDemo } from '../start-door.js'
import { waitFor } from '../testkit/services.js'
import { Api } from './support/door.js'
import { StepClock } from './support/step-clock.js'

interface Ctx {
  dir: string
  cloud: Cloud
  clock: StepClock
  door?: DoorDemo
  api: Api
  base: string
}

const t = suite<Ctx>('npm start: the shop door')
const log = pino({ level: 'silent' })

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-start-door-'))
  ctx.cloud = new Cloud(
    loadConfig({
      RELAIS_DATA_DIR: ctx.dir,
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
    }),
    log,
  )
  await ctx.cloud.start()
  ctx.base = `http://127.0.0.1:${ctx.cloud.httpPort}`
  ctx.api = new Api(ctx.base)
  ctx.clock = new StepClock()
})

t.after(async (ctx) => {
  await ctx.door?.stop()
  await ctx.cloud?.stop()
  rmSync(ctx.dir, { recursive: true, force: true })
})

const present = async (ctx: Ctx, door: DoorDemo) =>
  (
    await ctx.api.ok<{ present: Array<{ member: string }> }>(
      door.zoneToken,
      'GET',
      `/zones/${door.zone}/present`,
    )
  ).present.map((p) => p.member)

t(
  'the printed pages answer, and the printed member is seen entering within the first minute',
  async (ctx) => {
    const door = await startDoorDemo(ctx.cloud, { dataDir: ctx.dir, log, clock: ctx.clock })
    ctx.door = door
    assert.is(door.zone, 'shop-door')
    assert.is(door.members.length, door.opted)
    for (const path of [`/z/${door.zone}`, `/m/${door.member}`]) {
      const res = await fetch(`${ctx.base}${path}`)
      assert.is(res.status, 200, path)
      assert.match(res.headers.get('content-type') ?? '', /text\/html/)
    }
    assert.equal(await present(ctx, door), [], 'nobody yet: the afternoon has not started')
    const reader = ctx.cloud.db
    const config = await reader
      .selectFrom('agent_configs')
      .select('data')
      .where('agent_id', '=', door.agent)
      .executeTakeFirst()
    assert.ok(config !== undefined, "the reader's allow-list was pushed at provisioning")

    // A minute of the afternoon, a second at a time, until the first visitor is on the staff view.
    while (ctx.clock.offset < 60_000 && !(await present(ctx, door)).includes(door.member)) {
      ctx.clock.advance(1000)
      await new Promise((r) => setImmediate(r))
      // What the reader stored is acked (applied by the cloud) before the afternoon moves on.
      await waitFor('the reader outbox acked', async () => door.reader.outbox.depth === 0)
    }
    assert.ok((await present(ctx, door)).includes(door.member), 'the printed member entered within a minute')
    const mine = await ctx.api.ok<MemberData>(door.memberToken, 'GET', `/members/${door.member}`)
    assert.equal(
      mine.sessions.map((s) => [s.zone, s.leftAt]),
      [['shop-door', null]],
      'their own page shows the stay',
    )
    assert.is(mine.consents[0]?.zone, 'shop-door')
    const other = door.members.find((m) => m !== door.member)!
    assert.is((await ctx.api.call(door.memberToken, 'GET', `/members/${other}`)).status, 403)
  },
)

t('a restart on the same data dir reuses the zone, members and tokens', async (ctx) => {
  const first = ctx.door!
  await first.stop()
  ctx.door = undefined
  const again = await startDoorDemo(ctx.cloud, { dataDir: ctx.dir, log, clock: ctx.clock })
  ctx.door = again
  assert.equal(
    [again.zoneToken, again.member, again.memberToken, again.secret],
    [first.zoneToken, first.member, first.memberToken, first.secret],
  )
  const members = await ctx.cloud.db.selectFrom('members').select('id').execute()
  assert.is(members.length, first.members.length, 'no second set of members')
  await waitFor('the reader back on the broker', async () => again.reader.link.connected)
  assert.is((await ctx.api.call(again.memberToken, 'GET', `/members/${again.member}`)).status, 200)
})

t.run()
