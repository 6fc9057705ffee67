// Which events the Home Assistant bridge reports, from the bus alone: a scan or press counts at its first
// ack, never at a replayed one, a debounced repeat is no new last scan, a pickup notice is a pickup state,
// and unanswered events are forgotten oldest first so memory stays bounded.
import { makeEnvelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { AppliedEvents } from '../src/integrations/homeassistant/ha-applied.js'

const t = suite('Home Assistant: applied events')

const msg = (o: Parameters<typeof makeEnvelope>[0]) => Buffer.from(JSON.stringify(makeEnvelope(o)))
const base = { agent: 'kitchen', session: 's', seq: 0 }

function scan(a: AppliedEvents, code: string) {
  const env = makeEnvelope({ ...base, device: 'scanner-1', type: 'scan', data: { code } })
  a.event(topics.event('kitchen', 'scanner-1', 'scan'), Buffer.from(JSON.stringify(env)))
  return env.id
}

function ack(a: AppliedEvents, device: string, corr: string, data: Record<string, unknown>) {
  return a.command(topics.cmd('kitchen', 'ack', device), msg({ ...base, device, type: 'ack', corr, data }))
}

t('a scan counts at its first ack, with the name the ack carries', () => {
  const a = new AppliedEvents()
  const id = scan(a, '3017620422003')
  const item = { id: 'i1', code: '03017620422003', name: 'Nutella', quantity: 1, checked: false }
  const [u] = ack(a, 'scanner-1', id, { outcome: 'added', item })
  assert.equal(u, {
    kind: 'scan',
    agent: 'kitchen',
    device: 'scanner-1',
    state: {
      product: 'Nutella',
      name: 'Nutella',
      code: '3017620422003',
      outcome: 'added',
      at: (u as { state: { at: string } }).state.at,
    },
  })
  assert.equal(
    ack(a, 'scanner-1', id, { outcome: 'added', item, replayed: true }),
    [],
    'a second ack is nothing',
  )
  assert.is(a.size, 0)
})

t('a replayed ack, a debounced repeat and a refusal are no new last scan', () => {
  const a = new AppliedEvents()
  assert.equal(ack(a, 'scanner-1', scan(a, '1'), { outcome: 'added', replayed: true }), [])
  assert.equal(ack(a, 'scanner-1', scan(a, '2'), { outcome: 'duplicate' }), [])
  assert.equal(ack(a, 'scanner-1', scan(a, 'x'), { outcome: 'rejected', reason: 'invalid_barcode' }), [])
  assert.equal(ack(a, 'scanner-1', 'never-sent', { outcome: 'added' }), [], 'an ack of no known event')
})

t("a press is a trigger and its ack's pickup a state; a pickup notice is a state", () => {
  const a = new AppliedEvents()
  const env = makeEnvelope({ ...base, device: 'button', type: 'press', data: { press: 'long' } })
  a.event(topics.event('kitchen', 'button', 'press'), Buffer.from(JSON.stringify(env)))
  const pickup = { id: 'r1', state: 'cancelled', since: 0, reason: 'cancelled at the button' }
  const got = ack(a, 'button', env.id, { outcome: 'pickup_cancelled', pickup })
  assert.equal(
    got.map((u) => u.kind),
    ['press', 'pickup'],
  )
  assert.is((got[0] as { press: string }).press, 'long')
  const notice = a.command(
    topics.cmd('kitchen', 'pickup', 'button'),
    msg({ ...base, device: 'button', type: 'pickup', data: {} }),
  )
  assert.equal(
    notice.map((u) => (u.kind === 'pickup' ? u.state.state : u.kind)),
    ['none'],
  )
})

t('unanswered events are forgotten oldest first', () => {
  const a = new AppliedEvents(3)
  const ids = ['1', '2', '3', '4'].map((c) => scan(a, c))
  assert.is(a.size, 3)
  assert.equal(ack(a, 'scanner-1', ids[0]!, { outcome: 'added' }), [], 'the oldest was dropped')
  assert.is(ack(a, 'scanner-1', ids[3]!, { outcome: 'added' }).length, 1)
})

t.run()
