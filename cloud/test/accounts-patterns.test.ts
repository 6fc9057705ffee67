// Topic patterns of integration accounts as sets of topics (MQTT 3.1.1 section 4.7): matching, overlap,
// exact coverage by a union, and the account rules built on them. Pure functions, no broker.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { accountMayPublish, accountMaySubscribe, patternProblems } from '../src/broker/account-rules.js'
import { covers, isValidFilter, matches, overlaps } from '../src/broker/topic-patterns.js'

const t = suite('account topic patterns')

t('filters are valid only with # last and alone, + alone in its level (MQTT-4.7.1-2/-3)', () => {
  for (const f of ['a', 'a/b', '+', '#', 'a/+/c', 'a/#', '+/+', '/a', 'a//b']) assert.ok(isValidFilter(f), f)
  for (const f of ['', 'a/#/b', 'a#', 'a+/b', 'a/b#', '#/a', 'a\u0000']) assert.not.ok(isValidFilter(f), f)
})

t('# matches its parent level and + one level, empty ones included (MQTT-4.7.1-2)', () => {
  assert.ok(matches('sport/#', 'sport'))
  assert.ok(matches('sport/#', 'sport/tennis/player1'))
  assert.ok(matches('sport/+', 'sport/'))
  assert.not.ok(matches('sport/+', 'sport'))
  assert.not.ok(matches('sport/+', 'sport/tennis/x'))
  assert.ok(matches('+/+', '/finance'))
})

t('wildcards at the first level never reach $ topics (MQTT-4.7.2-1)', () => {
  assert.not.ok(matches('#', '$SYS/broker/uptime'))
  assert.not.ok(matches('+/broker/uptime', '$SYS/broker/uptime'))
  assert.ok(matches('$SYS/#', '$SYS/broker/uptime'))
  assert.not.ok(overlaps('#', '$SYS/#'))
})

t('overlap: some topic is matched by both', () => {
  assert.ok(overlaps('a/+/c', 'a/b/+'))
  assert.ok(overlaps('a/#', 'a'))
  assert.ok(overlaps('+/x', 'a/#'))
  assert.not.ok(overlaps('a/b', 'a/c'))
  assert.not.ok(overlaps('a/+', 'a/b/c'))
  assert.not.ok(overlaps('a/+/c', 'a/b'))
})

t('coverage is exact: by one pattern or by several together', () => {
  assert.ok(covers(['a/#'], 'a/b/+'))
  assert.ok(covers(['a/+/c'], 'a/+/c'))
  assert.ok(covers(['a', 'a/+/#'], 'a/#'), '"a" and "a/+/#" together cover a/#')
  assert.ok(covers(['+/b', 'x/#'], 'x/b'))
  assert.not.ok(covers(['a/+/#'], 'a/#'), 'a itself is missing')
  assert.not.ok(covers(['a/b', 'a/c'], 'a/+'), 'literal levels never cover +')
  assert.not.ok(covers(['a/+'], 'a/#'))
  assert.not.ok(covers([], 'a'))
  assert.ok(covers(['#'], 'anything/at/all'))
})

const rules = {
  read: ['relais/v1/+/health', 'relais/v1/+/status', 'home/#'],
  write: ['home/+/set'],
  deny: ['home/secret/#'],
}

t('an account subscribes only to filters wholly inside its reads and clear of its denies', () => {
  assert.ok(accountMaySubscribe(rules, 'relais/v1/+/health').ok)
  assert.ok(accountMaySubscribe(rules, 'relais/v1/kitchen/status').ok)
  assert.ok(accountMaySubscribe(rules, 'home/lights/#').ok)
  assert.not.ok(accountMaySubscribe(rules, 'relais/v1/#').ok, 'wider than the reads')
  assert.not.ok(accountMaySubscribe(rules, 'relais/v1/+/+').ok)
  assert.not.ok(accountMaySubscribe(rules, 'home/#').ok, 'overlaps the deny')
  assert.not.ok(accountMaySubscribe(rules, 'home/+/x').ok, 'home/secret/x is denied')
  assert.not.ok(accountMaySubscribe(rules, '#').ok)
  assert.not.ok(accountMaySubscribe({ ...rules, read: ['#'] }, '$SYS/#').ok, '$SYS never')
  assert.not.ok(accountMaySubscribe(rules, 'home/a#').ok, 'invalid filter')
})

t('an account publishes where a write matches and no deny does; never $ or contract topics', () => {
  assert.ok(accountMayPublish(rules, 'home/lights/set').ok)
  assert.not.ok(accountMayPublish(rules, 'home/lights/get').ok)
  assert.not.ok(accountMayPublish({ ...rules, write: ['home/#'] }, 'home/secret/door').ok)
  assert.not.ok(accountMayPublish({ ...rules, write: ['#'] }, '$SYS/x').ok)
  assert.not.ok(accountMayPublish({ ...rules, write: ['#'] }, 'relais/v1/kitchen/scanner-1/event/scan').ok)
  // What the cloud derives is not an account's to forge: Home Assistant's press triggers, ops alerts.
  assert.not.ok(accountMayPublish({ ...rules, write: ['#'] }, 'relais/ha/agents/door/button/press').ok)
  assert.not.ok(accountMayPublish({ ...rules, write: ['#'] }, 'relais/ops/alerts/offline/kitchen').ok)
  assert.ok(patternProblems({ read: [], write: ['relais/ha/#'], deny: [] })[0]?.includes('relais/#'))
})

t('patterns that can never work are refused when the account is made', () => {
  assert.equal(patternProblems(rules), [])
  assert.ok(patternProblems({ read: ['a/#/b'], write: [], deny: [] })[0]?.includes('not a valid'))
  assert.ok(patternProblems({ read: ['$SYS/#'], write: [], deny: [] })[0]?.includes('reserved'))
  assert.ok(patternProblems({ read: [], write: ['#'], deny: [] })[0]?.includes('relais/#'))
  assert.ok(patternProblems({ read: [], write: ['+/v1/x/cmd/identify'], deny: [] })[0]?.includes('relais/#'))
  assert.ok(patternProblems({ read: [], write: [], deny: ['x'] })[0]?.includes('at least one'))
})

t.run()
