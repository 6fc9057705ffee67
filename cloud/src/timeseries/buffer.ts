// A fixed-capacity double-ended queue on a circular array: every operation the hot path uses is O(1) and
// allocates nothing, and memory is bounded by the capacity given once.

export class RingBuffer<T> {
  private readonly items: Array<T | undefined>
  private head = 0
  private count = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity ${capacity} < 1`)
    this.items = new Array<T | undefined>(capacity)
  }

  get size(): number {
    return this.count
  }

  /** Appends at the tail; false (and nothing stored) when full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false
    this.items[(this.head + this.count) % this.capacity] = item
    this.count++
    return true
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined // let the point be collected
    this.head = (this.head + 1) % this.capacity
    this.count--
    return item
  }

  /** Removes up to `n` of the oldest items, oldest first. */
  take(n: number): T[] {
    const out: T[] = []
    while (out.length < n && this.count > 0) out.push(this.shift() as T)
    return out
  }

  /** Puts `items` back in front, in their order: a batch that failed goes back where it came from. */
  unshiftAll(items: readonly T[]): void {
    if (this.count + items.length > this.capacity) throw new RangeError('ring buffer overflow on unshift')
    for (let i = items.length - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity
      this.items[this.head] = items[i]
      this.count++
    }
  }

  /** Removes every item `drop` accepts, keeping the others in order; returns how many went. O(size). */
  removeWhere(drop: (item: T) => boolean): number {
    const all = this.take(this.count)
    const kept = all.filter((item) => !drop(item))
    for (const item of kept) this.push(item)
    return all.length - kept.length
  }

  /** Empties the buffer, returning how many items it held. */
  clear(): number {
    const n = this.count
    this.items.fill(undefined)
    this.head = 0
    this.count = 0
    return n
  }
}
