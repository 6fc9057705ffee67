// The linux IO plugin under johnny-five: real input_event records through a FIFO standing in for the
// gpio-key's event device (24-byte and 16-byte layouts), LED brightness files in a temp dir standing in
// for /sys/class/leds, and the device coming and going.
process.env.IS_TEST_MODE = 'true'

import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import type { ButtonConfig } from '../src/config/schema.js'
import { JohnnyFiveButton } from '../src/drivers/button/johnny-five.js'
import { LinuxIO } from '../src/drivers/button/linux-io.js'
import { EV_KEY, EV_SYN, encodeInputEvent } from '../src/drivers/scanner/input-event.js'

const five = ((await import('johnny-five')) as unknown as { default: typeof import('johnny-five') }).default
const log = pino({ level: 'silent' })
const BTN_0 = 256

interface Ctx {
  dir: string
  fifo: string
  button?: JohnnyFiveButton
  writer?: FileHandle
}

const t = suite<Ctx>('button on the linux IO plugin')

t.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-button-'))
  ctx.fifo = join(ctx.dir, 'platform-button@11-event')
  execFileSync('mkfifo', [ctx.fifo])
  for (const led of ['relais-green', 'relais-red', 'relais-buzzer']) {
    mkdirSync(join(ctx.dir, 'leds', led), { recursive: true })
    writeFileSync(join(ctx.dir, 'leds', led, 'brightness'), '0')
  }
})
t.after.each(async (ctx) => {
  await ctx.button?.stop()
  await ctx.writer?.close()
  ctx.button = ctx.writer = undefined
  // A reader still waiting in open() for a writer holds a libuv thread and the process with it (a FIFO
  // quirk; event devices open at once). Opening read-write never blocks on Linux and wakes that open.
  await (await open(ctx.fifo, 'r+')).close()
  rmSync(ctx.dir, { recursive: true, force: true })
})

function config(ctx: Ctx, input = ctx.fifo): ButtonConfig {
  return {
    id: 'button',
    io: 'linux',
    linux: {
      input,
      keyCode: BTN_0,
      ledsDir: join(ctx.dir, 'leds'),
      leds: { green: 'relais-green', red: 'relais-red', buzzer: 'relais-buzzer' },
    },
    doubleGapMs: 400,
    longMs: 2000,
    afterWindowMin: 30,
    closedShowMin: 15,
  }
}

const brightness = (ctx: Ctx, led: string) => readFileSync(join(ctx.dir, 'leds', led, 'brightness'), 'utf8')
const key = (value: number, timeMs: number, size: 16 | 24, code = BTN_0) =>
  Buffer.concat([
    encodeInputEvent({ timeMs, type: EV_KEY, code, value }, size),
    encodeInputEvent({ timeMs, type: EV_SYN, code: 0, value: 0 }, size),
  ])

async function started(ctx: Ctx, size: 16 | 24) {
  ctx.button = new JohnnyFiveButton('button', config(ctx), log, {
    five,
    recordSize: size,
    backoff: { initialMs: 20, maxMs: 50 },
  })
  await ctx.button.start()
  // Opening a FIFO for writing waits for its reader: the driver's open.
  ctx.writer = await open(ctx.fifo, 'w')
  await waitFor('attached', async () => ctx.button?.status.state === 'attached')
  return ctx.button
}

for (const size of [24, 16] as const) {
  t(
    `${size}-byte records: key down and up reach johnny-five's Button; other keys and repeats do not`,
    async (ctx) => {
      const b = await started(ctx, size)
      const edges: string[] = []
      b.on('down', () => edges.push('down'))
      b.on('up', () => edges.push('up'))
      const down = once(b, 'down')
      // Another key, an autorepeat of ours, and a record split across two writes.
      await ctx.writer!.write(key(1, 1000, size, 28))
      const rec = key(1, 1000, size)
      await ctx.writer!.write(rec.subarray(0, 5))
      await ctx.writer!.write(rec.subarray(5))
      await down
      await ctx.writer!.write(key(2, 1100, size))
      const up = once(b, 'up')
      await ctx.writer!.write(key(0, 1200, size))
      await up
      assert.equal(edges, ['down', 'up'])
      assert.equal(b.status, { state: 'attached', detail: ctx.fifo })
    },
  )
}

t('the light writes 255 and 0 to the LEDs brightness files; amber lights both', async (ctx) => {
  const b = await started(ctx, 24)
  assert.is(brightness(ctx, 'relais-green'), '0')
  b.light('green')
  assert.equal([brightness(ctx, 'relais-green'), brightness(ctx, 'relais-red')], ['255', '0'])
  b.light('amber')
  assert.equal([brightness(ctx, 'relais-green'), brightness(ctx, 'relais-red')], ['255', '255'])
  b.light('off')
  assert.equal([brightness(ctx, 'relais-green'), brightness(ctx, 'relais-red')], ['0', '0'])
  b.buzz(true)
  assert.is(brightness(ctx, 'relais-buzzer'), '255')
})

t('the device going away is detached, and it is read again when back', async (ctx) => {
  const b = await started(ctx, 24)
  const statuses: string[] = []
  b.on('status', (s) => statuses.push(s.state))
  await ctx.writer!.close()
  ctx.writer = undefined
  await waitFor('detached', async () => b.status.state === 'detached')
  assert.is(b.status.detail, 'unplugged')
  ctx.writer = await open(ctx.fifo, 'w')
  await waitFor('attached again', async () => b.status.state === 'attached')
  const down = once(b, 'down')
  await ctx.writer.write(key(1, 5000, 24))
  await down
  assert.equal(statuses.slice(0, 2), ['detached', 'attached'])
})

t('a missing device: detached with why, start() returns, and the LEDs still work', async (ctx) => {
  const missing = join(ctx.dir, 'nope-event')
  ctx.button = new JohnnyFiveButton('button', config(ctx, missing), log, {
    five,
    backoff: { initialMs: 20, maxMs: 50 },
  })
  await ctx.button.start()
  await waitFor('detached', async () => ctx.button?.status.detail === `not found: ${missing}`)
  ctx.button.light('green')
  assert.is(brightness(ctx, 'relais-green'), '255')
})

t('the plugin refuses what a pin cannot do', () => {
  const io = new LinuxIO({ input: '/nonexistent', keyCode: BTN_0, ledsDir: '/tmp', leds: { green: 'g' } })
  assert.is(io.normalize('green'), 1)
  assert.throws(() => io.pinMode(0, io.MODES.OUTPUT), /does not support/)
  assert.throws(() => io.digitalWrite(0, 1), /not an output/)
})

t.run()
