// HID keyboard scanners (most USB scanners out of the box), read from their event device. We take the
// device exclusively (EVIOCGRAB) when a native ioctl is available, so that scans do not also type into
// a login prompt on the console; without one we read alongside the console and say so once.
import { open as openFile } from 'node:fs/promises'
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import type { BackoffOptions } from '@relais/hardware'
import type { Logger } from 'pino'
import type { ScannerConfig } from '../../config/schema.js'
import { describe, ReconnectingScanSource } from './base.js'
import { KeyDecoder } from './hid-keymap.js'
import { RecordSplitter, recordSizeFor } from './input-event.js'

export type HidScannerConfig = NonNullable<ScannerConfig['hid']>

/** An open event device: its records as a stream, and its descriptor for the grab. */
export interface EventDevice {
  stream: Readable
  fd?: number
  close(): void
}

/** Takes the device exclusively; throws when the kernel refuses (EBUSY: someone else has it). */
export type GrabFn = (fd: number) => void

export interface HidDeps {
  /** Defaults to opening the path read-only; tests pass a PassThrough. */
  openDevice?: (path: string, recordSize: number) => Promise<EventDevice>
  /** Finds the grab; undefined when no native ioctl module is installed. */
  loadGrab?: () => Promise<GrabFn | undefined>
  /** input_event size: 24 on 64-bit, 16 on 32-bit (see input-event.ts); injectable for tests. */
  recordSize?: 16 | 24
  backoff?: BackoffOptions
  now?: () => number
}

/** EVIOCGRAB = _IOW('E', 0x90, int) in linux/input.h; its argument is the int itself (1 grab, 0 release). */
export const EVIOCGRAB = 0x40044590

/** The optional native module, loaded by name at run time so the agent installs and runs without it. */
const IOCTL_MODULE = 'ioctl'

export class HidScanner extends ReconnectingScanSource {
  readonly recordSize: 16 | 24
  #device: EventDevice | undefined

  constructor(
    id: string,
    private readonly config: HidScannerConfig,
    log: Logger,
    private readonly deps: HidDeps = {},
  ) {
    super(id, log, 'scanner-hid', deps.backoff, deps.now)
    this.recordSize = deps.recordSize ?? recordSizeFor()
  }

  protected async open(): Promise<void> {
    const device = await (this.deps.openDevice ?? openEventDevice)(this.config.path, this.recordSize)
    try {
      if (this.config.grab) await this.grab(device)
    } catch (err) {
      device.close()
      throw err
    }
    if (!this.running) {
      // stop() came while we were opening.
      device.close()
      return
    }
    this.#device = device
    const splitter = new RecordSplitter(this.recordSize)
    const decoder = new KeyDecoder({ onWarn: (m) => this.warnOnce(m) })
    device.stream.on('data', (chunk: Buffer) => {
      for (const ev of splitter.push(chunk)) {
        const code = decoder.feed(ev)
        if (code !== undefined) this.scanned(code)
      }
    })
    // ENODEV on read is the kernel's word for "unplugged"; EOF should not happen on a device but would
    // mean the same.
    device.stream.on('error', (err) => this.drop(device, describe(err)))
    device.stream.on('end', () => this.drop(device, 'unplugged'))
    this.log.info({ path: this.config.path, recordSize: this.recordSize }, 'hid scanner opened')
    this.attached(this.config.path)
  }

  private async grab(device: EventDevice): Promise<void> {
    const grab = await (this.deps.loadGrab ?? loadIoctlGrab)()
    if (grab === undefined || device.fd === undefined) {
      this.warnOnce(
        `not grabbed: scans also reach the console (install the optional '${IOCTL_MODULE}' module)`,
      )
      return
    }
    try {
      grab(device.fd)
    } catch (err) {
      // EBUSY: another program holds the grab, and a grabbed device sends its events to it alone, so
      // we would read nothing. Not attached: retry until that program lets go.
      if ((err as NodeJS.ErrnoException).code === 'EBUSY')
        throw Object.assign(new Error('EVIOCGRAB: EBUSY'), { code: 'EBUSY', path: this.config.path })
      this.warnOnce(`not grabbed: scans also reach the console (${describe(err)})`)
    }
  }

  private drop(device: EventDevice, detail: string): void {
    if (this.#device !== device) return
    this.#device = undefined
    release(device)
    this.lost(detail)
  }

  protected async close(): Promise<void> {
    const device = this.#device
    this.#device = undefined
    if (device !== undefined) release(device)
  }
}

function release(device: EventDevice): void {
  device.stream.removeAllListeners()
  device.stream.on('error', () => {})
  // Closing the descriptor also ends the grab (evdev_release in the kernel).
  device.close()
}

async function openEventDevice(path: string, recordSize: number): Promise<EventDevice> {
  const handle = await openFile(path, 'r')
  // Whole records per read. An idle device keeps one libuv threadpool thread waiting in read(2), and
  // destroy() closes the descriptor only after that read returns: stop() does not wait for it.
  const stream = handle.createReadStream({ highWaterMark: recordSize * 64 })
  return { stream, fd: handle.fd, close: () => stream.destroy() }
}

/** Loads the optional `ioctl` module (module.exports = ioctl(fd, request, arg)), if installed. */
async function loadIoctlGrab(): Promise<GrabFn | undefined> {
  let mod: { default?: unknown }
  try {
    mod = (await import(IOCTL_MODULE)) as { default?: unknown }
  } catch {
    return undefined
  }
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { ioctl?: unknown })?.ioctl
  if (typeof fn !== 'function') return undefined
  return (fd) => {
    // Some versions return -errno, newer ones throw.
    const res = fn(fd, EVIOCGRAB, 1)
    if (typeof res !== 'number' || res >= 0) return
    const code = Object.entries(constants.errno).find(([, n]) => n === -res)?.[0]
    throw Object.assign(new Error(`EVIOCGRAB failed: ${code ?? `errno ${-res}`}`), { code })
  }
}
