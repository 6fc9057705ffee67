// The simulators' contract-only pickup button against a real in-process cloud: its presses become
// requests and their acks come back with the pickup; presses made while the broker is unreachable go
// out on reconnect with the same ids; a cmd/pickup from the cloud is what the button then shows.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope, topics } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Cloud } from '../../cloud/src/app/cloud.js'
import { loadConfig } from '../../cloud/src/app/config.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { createSite } from '../../cloud/src/domains/sites/sites.js'
import { ButtonDevice } from '../../simulators/src/index.js'
import { waitFor } from '../testkit/services.js'

const t = suite<{ dir: string; cloud: Cloud; button: ButtonDevice }>('simulated button device')

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-button-'))
  ctx.cloud = new Cloud(
    loadConfig({
      RELAIS_DATA_DIR: ctx.dir,
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
    }),
    pino({ level: 'silent' }),
  )
  await ctx.cloud.start()
  await createSite(ctx.cloud.db, {
    id: 'rue-oberkampf-3',
    address: '3 rue Oberkampf',
    lat: 48.864,
    lon: 2.369,
  })
  const a = await addAgent(ctx.cloud.db, { id: 'box-3', siteId: 'rue-oberkampf-3' })
  ctx.button = new ButtonDevice({
    url: `mqtt://127.0.0.1:${ctx.cloud.mqttPort}`,
    agent: a.username,
    secret: a.secret,
    resendAfterMs: 2000,
  })
  ctx.button.start()
  await ctx.button.waitConnected()
})

t.after(async (ctx) => {
  await ctx.button.stop()
  await ctx.cloud.stop()
  rmSync(ctx.dir, { recursive: true, force: true })
})

t('a press is acked with its request; pressing again returns the same one', async ({ button }) => {
  const first = await button.acked(button.press('single'))
  assert.is(first.ack?.outcome, 'pickup_requested')
  assert.ok(first.ackAt! >= first.sentAt!, 'timed from publish to ack')
  const again = await button.acked(button.press('single'))
  assert.equal([again.ack?.outcome, again.ack?.pickup?.id], ['pickup_open', first.ack?.pickup?.id])
  assert.is(button.pickup?.id, first.ack?.pickup?.id, 'the button shows its request')
  assert.equal(button.invalid, [])
})

t('presses made offline go out on reconnect, once each', async ({ cloud, button }) => {
  await button.goOffline()
  const cancel = button.press('long', 2500)
  await new Promise((r) => setTimeout(r, 300))
  assert.not.ok(button.presses.get(cancel)!.sentAt, 'nothing sent while offline')
  const single = button.press('single')
  button.goOnline()
  const [c, s] = await Promise.all([button.acked(cancel), button.acked(single)])
  assert.is(c.ack?.outcome, 'pickup_cancelled')
  assert.is(s.ack?.outcome, 'pickup_requested')
  assert.is(button.unacked, 0)
  const open = await cloud.db
    .selectFrom('pickup_requests')
    .select(['id', 'state'])
    .where('state', 'in', ['requested', 'scheduled'])
    .execute()
  assert.equal(open, [{ id: s.ack!.pickup!.id, state: 'requested' }])
})

t('a cmd/pickup from the cloud is recorded and shown', async ({ cloud, button }) => {
  const shown = button.pickup!
  const pickup = { ...shown, state: 'scheduled' as const, since: shown.since + 1, window: { from: 1, to: 2 } }
  const env = makeEnvelope({
    agent: button.agent,
    device: 'button',
    type: 'pickup',
    session: 'c',
    seq: 1,
    data: { pickup },
  })
  await cloud.bus.publish(topics.cmd(button.agent, 'pickup', 'button'), JSON.stringify(env), {
    qos: 1,
    retain: false,
  })
  await waitFor('the cmd/pickup', async () => button.pickupCmds.some((r) => r.env.id === env.id))
  assert.equal(button.pickup, pickup)
  // An older message about the same request does not take the display back.
  const stale = makeEnvelope({
    agent: button.agent,
    device: 'button',
    type: 'pickup',
    session: 'c',
    seq: 2,
    data: { pickup: shown },
  })
  await cloud.bus.publish(topics.cmd(button.agent, 'pickup', 'button'), JSON.stringify(stale), {
    qos: 1,
    retain: false,
  })
  await waitFor('the stale cmd/pickup', async () => button.pickupCmds.some((r) => r.env.id === stale.id))
  assert.is(button.pickup?.state, 'scheduled')
})

t.run()
