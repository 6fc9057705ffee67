// Pickup requests in plain words (static/pickup-text.js, a plain browser module run here in Node): the
// customer's state line, the courier's window and the history lines, in a fixed zone and locale.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { PickupView, TransitionView } from '../src/domains/pickups/views.js'

interface Formats {
  time(ms: number): string
  day(ms: number): string
  ymd(ms: number): string
  when(ms: number, now?: number): string
}
interface PickupTextModule {
  formats(opts?: { locale?: string; timeZone?: string }): Formats
  windowText(w: { from: number; to: number }, f: Formats): string
  stateText(p: PickupView, f: Formats, now?: number): string
  transitionText(t: TransitionView): string
  isOpen(p: PickupView): boolean
}

const m: PickupTextModule = await import(new URL('../src/http/static/pickup-text.js', import.meta.url).href)

const t = suite('pickup text: states and times in words')
const paris = m.formats({ locale: 'en-GB', timeZone: 'Europe/Paris' })
const tokyo = m.formats({ locale: 'en-GB', timeZone: 'Asia/Tokyo' })
// 2026-11-12 09:40 UTC = 10:40 in Paris (CET), 18:40 in Tokyo.
const at = (hhmm: string) => Date.parse(`2026-11-12T${hhmm}:00Z`)

function pickup(over: Partial<PickupView>): PickupView {
  return {
    id: 'r1',
    siteId: 's',
    agentId: 'a',
    deviceId: 'button',
    state: 'requested',
    requestedAt: at('08:00'),
    updatedAt: at('08:00'),
    window: null,
    reason: null,
    roundId: null,
    ...over,
  }
}

t('times are local to the zone asked for', () => {
  assert.is(paris.time(at('09:40')), '10:40')
  assert.is(tokyo.time(at('09:40')), '18:40')
  assert.is(m.windowText({ from: at('09:40'), to: at('10:40') }, paris), '10:40–11:40')
  assert.is(paris.ymd(at('23:30')), '2026-11-13', 'after midnight in Paris it is the next day')
  assert.is(paris.when(at('09:52'), at('12:00')), '10:52')
  assert.is(paris.when(at('09:52'), at('23:30')), 'Thu 12 Nov, 10:52')
})

t('each state in plain words', () => {
  const now = at('12:00')
  assert.is(m.stateText(pickup({}), paris, now), 'Request received')
  const window = { from: at('09:40'), to: at('10:40') }
  assert.is(
    m.stateText(pickup({ state: 'scheduled', window }), paris, now),
    'Courier expected between 10:40 and 11:40',
  )
  const collected = pickup({
    state: 'collected',
    updatedAt: at('11:00'),
    transitions: [
      { from: null, to: 'requested', at: at('08:00'), by: 'lb/button', reason: null },
      { from: 'scheduled', to: 'collected', at: at('09:52'), by: 'courier:c1', reason: null },
    ],
  })
  assert.is(m.stateText(collected, paris, now), 'Collected at 10:52', 'the time it was collected')
  assert.is(
    m.stateText(pickup({ state: 'collected', updatedAt: at('09:53') }), paris, now),
    'Collected at 10:53',
    'without transitions, its last change',
  )
  assert.is(
    m.stateText(pickup({ state: 'not_found', reason: 'Letterbox empty' }), paris, now),
    'Nothing found: Letterbox empty',
  )
  assert.is(m.stateText(pickup({ state: 'cancelled', reason: 'x' }), paris, now), 'Cancelled')
  assert.is(m.stateText(pickup({ state: 'expired' }), paris, now), 'Expired')
  assert.ok(m.isOpen(pickup({ state: 'scheduled' })))
  assert.not.ok(m.isOpen(pickup({ state: 'collected' })))
})

t('history lines say what happened, who did it and why', () => {
  const line = (to: string, by: string, reason: string | null = null) =>
    m.transitionText({ from: null, to, at: 0, by, reason })
  assert.is(line('requested', 'letterbox-12/button'), 'Request received at the button')
  assert.is(line('cancelled', 'letterbox-12/button', 'long press'), 'Cancelled at the button: long press')
  assert.is(line('scheduled', 'system'), "Put on the courier's round")
  assert.is(line('scheduled', 'system', 'round c1-2026-11-12 (revision 3)'), "Put on the courier's round")
  assert.is(line('collected', 'courier:c1'), 'Collected by the courier')
  assert.is(
    line('not_found', 'courier:c1', 'Letterbox empty'),
    'Nothing found by the courier: Letterbox empty',
  )
  assert.is(line('cancelled', 'ops:tok1', 'duplicate'), 'Cancelled by Relais support: duplicate')
})

t.run()
