// Playing the shop door's capture a second at a time, and who the staff view must show at a given moment
// of the scenario, for the beacon end-to-end test.
import * as assert from 'uvu/assert'
import { APPROACH_MS } from '../../../simulators/src/index.js'
import { waitFor } from '../../testkit/services.js'
import { type DoorCtx, LEAVE_TIMEOUT_MS, ZONE } from './door-e2e.js'

/** The staff view is read every this many ms of the scenario. */
const SAMPLE_MS = 5_000
/** Time a visitor at the counter surely has been seen entering: the walk in, then some smoothing. */
const SETTLED_MS = APPROACH_MS + 10_000

/** One second of the capture: the replay hears what is due; the reader finds timeouts as its timer would. */
export function step(ctx: DoorCtx): void {
  ctx.clock.advance(1000)
  ctx.reader.tick(ctx.clock.now())
}

/** Lets the link run, then waits for every stored event to be acked (so the cloud has committed it). */
export async function settle(ctx: DoorCtx): Promise<void> {
  await new Promise((r) => setImmediate(r))
  if (ctx.agent.outbox.depth > 0)
    await waitFor("the reader's events acked", async () => ctx.agent.outbox.depth === 0)
}

/** Plays the capture up to `offset` (ms), settling after each second; `sample` runs every SAMPLE_MS. */
export async function playTo(ctx: DoorCtx, offset: number, sample?: () => Promise<void>): Promise<void> {
  while (ctx.clock.offset < offset) {
    step(ctx)
    await settle(ctx)
    if (sample !== undefined && ctx.clock.offset % SAMPLE_MS === 0) await sample()
  }
}

/**
 * Who the staff view must show at `offset` (sure: at the counter, walked in and settled) and who it may
 * show (possible: from arriving until walked away and timed out). The member at the edge of range is
 * neither: between the thresholds, hysteresis keeps them out. A withdrawn member is neither afterwards.
 */
export function expectedPresent(ctx: DoorCtx, offset: number): { sure: Set<string>; possible: Set<string> } {
  const sure = new Set<string>()
  const possible = new Set<string>()
  for (const v of ctx.visitors) {
    const b = v.beacon
    if (b.kind !== 'visit') continue
    if (v === ctx.revoked && ctx.revokeAt !== undefined && offset >= ctx.revokeAt) continue
    const leftCounter = b.arriveMs + APPROACH_MS + b.lingerMs
    if (offset >= b.arriveMs + SETTLED_MS && offset <= leftCounter) sure.add(v.member)
    // One tick (1 s) to notice a timeout.
    if (offset >= b.arriveMs && offset <= leftCounter + APPROACH_MS + LEAVE_TIMEOUT_MS + 1000)
      possible.add(v.member)
  }
  return { sure, possible }
}

/** The members on the staff view now (`GET /api/zones/:zone/present` with the zone's token). */
export async function presentNow(ctx: DoorCtx): Promise<Set<string>> {
  const r = await ctx.api.ok<{ present: Array<{ member: string }> }>(
    ctx.zoneToken,
    'GET',
    `/zones/${ZONE}/present`,
  )
  return new Set(r.present.map((p) => p.member))
}

/** Reads the staff view and holds it to who must and who may be there at this moment of the scenario. */
export async function checkStaffView(ctx: DoorCtx, sizes?: Set<number>): Promise<void> {
  const at = ctx.clock.offset
  const e = expectedPresent(ctx, at)
  const present = await presentNow(ctx)
  for (const m of e.sure) assert.ok(present.has(m), `${at} ms: ${m} is on the staff view`)
  for (const m of present) assert.ok(e.possible.has(m), `${at} ms: ${m} is on the staff view, unexpected`)
  sizes?.add(present.size)
}
