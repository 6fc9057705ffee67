// Runs the work of one key (a courier) one run at a time, and folds the requests that arrive while a
// run waits or works into the next run: 30 presses in a second cost a few re-plans, not 30, and two
// re-plans of one courier never interleave. Each request resolves when a run that covered it ends.
import { setTimeout as sleep } from 'node:timers/promises'

type Run = (items: ReadonlySet<string>) => Promise<void>

interface Slot {
  items: Set<string>
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>
  loop?: Promise<void>
}

export class SerialJobs {
  private readonly slots = new Map<string, Slot>()
  private stopped = false

  /** @param settleMs how long a run waits for more requests before it starts */
  constructor(private readonly settleMs: number) {}

  request(key: string, item: string, run: Run): Promise<void> {
    if (this.stopped) return Promise.resolve()
    let slot = this.slots.get(key)
    if (slot === undefined) {
      slot = { items: new Set(), waiters: [] }
      this.slots.set(key, slot)
    }
    slot.items.add(item)
    const done = new Promise<void>((resolve, reject) => slot.waiters.push({ resolve, reject }))
    if (slot.loop === undefined) slot.loop = this.loop(key, slot, run)
    return done
  }

  /** Resolves once no run is waiting or working. */
  async idle(): Promise<void> {
    for (;;) {
      const loops = [...this.slots.values()].flatMap((s) => (s.loop ? [s.loop] : []))
      if (loops.length === 0) return
      await Promise.all(loops)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.idle()
  }

  private async loop(key: string, slot: Slot, run: Run): Promise<void> {
    try {
      while (slot.items.size > 0) {
        if (this.settleMs > 0 && !this.stopped) await sleep(this.settleMs)
        const items = slot.items
        const waiters = slot.waiters
        slot.items = new Set()
        slot.waiters = []
        try {
          if (!this.stopped) await run(items)
          for (const w of waiters) w.resolve()
        } catch (err) {
          for (const w of waiters) w.reject(err)
        }
      }
    } finally {
      slot.loop = undefined
      this.slots.delete(key)
    }
  }
}
