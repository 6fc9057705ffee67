import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Outbox } from '../src/outbox/outbox.js'

const t = suite('durable outbox')
const topic = 'relais/v1/a/scanner-1/event/scan'

t('keeps entries in order, stores an id once, and removes only what is acked', () => {
  const o = new Outbox({ dataDir: ':memory:', maxEntries: 100 })
  assert.equal(o.add('a', topic, '1'), { stored: true, dropped: 0 })
  assert.equal(o.add('b', topic, '2'), { stored: true, dropped: 0 })
  assert.equal(o.add('a', topic, 'again'), { stored: false, dropped: 0 })
  o.add('c', topic, '3')
  assert.equal(
    o.pending(10).map((e) => [e.id, e.payload]),
    [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ],
  )
  assert.equal(o.ack(['b', 'zz', 'b']), ['b'])
  assert.equal(
    o.pending(10).map((e) => e.id),
    ['a', 'c'],
  )
  assert.is(o.depth, 2)
  o.close()
})

t('is bounded: the oldest give way and the drops are counted, across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-outbox-'))
  try {
    let o = new Outbox({ dataDir: dir, maxEntries: 3 })
    for (const id of ['1', '2', '3', '4', '5']) o.add(id, topic, id)
    assert.equal(
      o.pending(10).map((e) => e.id),
      ['3', '4', '5'],
    )
    assert.is(o.dropped, 2)
    o.close()
    o = new Outbox({ dataDir: dir, maxEntries: 3 })
    assert.equal([o.depth, o.dropped], [3, 2])
    o.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

t('every entry promised before a SIGKILL is there after it, five kills in a row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-outbox-kill-'))
  const promised: string[] = []
  try {
    let next = 0
    for (let round = 0; round < 5; round++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'support', 'outbox-writer.ts'), dir, String(next)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      let buf = ''
      const roundIds: string[] = []
      child.stdout.on('data', (d) => {
        buf += d
        const lines = buf.split('\n')
        buf = lines.pop()!
        roundIds.push(...lines)
      })
      // Kill once it has promised a few hundred entries, at whatever instant that is.
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (roundIds.length >= 200 + round * 37) {
            clearInterval(timer)
            child.kill('SIGKILL')
          }
        }, 2)
        child.on('exit', () => resolve())
      })
      promised.push(...roundIds)
      next += 1_000_000
      const o = new Outbox({ dataDir: dir, maxEntries: 1_000_000 })
      const stored = new Set(o.pending(10_000_000).map((e) => e.id))
      for (const id of promised) assert.ok(stored.has(id), `${id} was promised and lost`)
      // Each stored entry is whole: its payload parses.
      for (const e of o.pending(10_000_000)) JSON.parse(e.payload)
      o.close()
    }
    assert.ok(promised.length >= 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

t.run()
