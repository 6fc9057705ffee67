// Counts distinct advertisers per telemetry period without keeping who they were (DESIGN.md, privacy:
// "everything else is dropped on the device"; contract: only a count of other beacons seen). Addresses
// are hashed with a salt drawn anew each period, the hashes live only until the period ends, and only the
// count leaves: nothing links one period to the next, and no address is ever stored.
import { randomBytes } from 'node:crypto'

export class DistinctCounter {
  private seen = new Set<number>()
  private salt = DistinctCounter.newSalt()

  /** Counts `address` once per period. */
  add(address: string): void {
    // FNV-1a over the salted address: cheap per advertisement; a collision only undercounts by one.
    let h = this.salt
    for (let i = 0; i < address.length; i++) {
      h ^= address.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    this.seen.add(h >>> 0)
  }

  get count(): number {
    return this.seen.size
  }

  /** Ends the period: returns its count and forgets every hash, with a new salt for the next. */
  take(): number {
    const n = this.seen.size
    this.seen = new Set()
    this.salt = DistinctCounter.newSalt()
    return n
  }

  private static newSalt(): number {
    return randomBytes(4).readUInt32LE(0) ^ 0x811c9dc5
  }
}
