// The reader's last allow-list on disk, with its revision, so a reader rebooted while offline keeps
// reporting the beacons it was allowed to (and only those) until the cloud's retained config arrives
// again. A newer revision always wins, whichever side it comes from (contract: "revision increasing").
// Written to a temp file, fsynced, then renamed: a power cut leaves the old list or the new, never half.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { type BeaconReaderConfig, BeaconReaderConfigSchema, firstError } from '@relais/hardware'
import { BeaconError } from '../../drivers/beacon/errors.js'

export interface StoredAllowList {
  revision: number
  /** null: the cloud's config had no section for this reader, so nothing is allowed. */
  section: BeaconReaderConfig | null
}

export class AllowListStore {
  private readonly file: string

  /** `dataDir` ':memory:' keeps nothing (tests, and agents whose outbox is in memory). */
  constructor(
    private readonly dataDir: string,
    device: string,
  ) {
    this.file = join(dataDir, `beacons-${device}.json`)
  }

  /** The stored list, undefined when none; throws BeaconError when the file is there but unusable. */
  load(): StoredAllowList | undefined {
    if (this.dataDir === ':memory:') return undefined
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new BeaconError('beacon_allowlist_unreadable', `${this.file}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    let v: StoredAllowList
    try {
      v = JSON.parse(text) as StoredAllowList
    } catch (err) {
      throw new BeaconError('beacon_allowlist_unreadable', `${this.file}: not JSON`, { cause: err })
    }
    const problem =
      typeof v?.revision !== 'number' || !Number.isInteger(v.revision)
        ? 'revision: expected an integer'
        : v.section === null
          ? undefined
          : firstError(BeaconReaderConfigSchema, v.section, 'section')
    if (problem !== undefined)
      throw new BeaconError('beacon_allowlist_unreadable', `${this.file}: ${problem}`)
    return { revision: v.revision, section: v.section }
  }

  save(v: StoredAllowList): void {
    if (this.dataDir === ':memory:') return
    const tmp = `${this.file}.tmp`
    try {
      mkdirSync(this.dataDir, { recursive: true })
      const fd = openSync(tmp, 'w', 0o600)
      try {
        writeSync(fd, JSON.stringify(v))
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, this.file)
    } catch (err) {
      throw new BeaconError('beacon_allowlist_write', `${this.file}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
}
