// USB serial scanners (CDC-ACM, /dev/ttyACM*) through serialport 13. serialport does not reconnect by
// itself: a `close` carrying `disconnected` means the scanner was unplugged, and we retry against the
// stable udev name (hardware/devices/scanner/99-relais-scanner.rules), resolving it again each time
// because a re-plugged scanner often comes back as another ttyACM number.
import { realpath } from 'node:fs/promises'
import type { BackoffOptions } from '@relais/hardware'
import type { Logger } from 'pino'
import type { InterByteTimeoutParser, RegexParser, SerialPort, SerialPortMock } from 'serialport'
import type { ScannerConfig } from '../../config/schema.js'
import { describe, ReconnectingScanSource } from './base.js'

export type SerialScannerConfig = NonNullable<ScannerConfig['serial']>

export interface SerialDeps {
  /** The OS layer serialport talks to; tests pass SerialPortMock.binding (or a wrapper of it). */
  binding?: typeof SerialPort.binding | typeof SerialPortMock.binding
  backoff?: BackoffOptions
  now?: () => number
}

/** Past this many bytes without a terminator the scanner is not sending the one configured. */
export const MAX_PENDING_BYTES = 1024

/**
 * CR, LF and CRLF all end a code whichever was configured, so a scanner programmed for another line
 * ending still works. The empty string between the CR and LF of a CRLF split across two reads is
 * dropped by `scanned()`.
 */
const LINE_END = /\r\n|\r|\n/

interface Connection {
  port: SerialPort
  parser: RegexParser | InterByteTimeoutParser
}

export class SerialScanner extends ReconnectingScanSource {
  #conn: Connection | undefined

  constructor(
    id: string,
    private readonly config: SerialScannerConfig,
    log: Logger,
    private readonly deps: SerialDeps = {},
  ) {
    super(id, log, 'scanner-serial', deps.backoff, deps.now)
  }

  protected async open(): Promise<void> {
    // Loaded here, not at import: a native binding that fails to load is then one detached scanner
    // with the reason, not an agent that cannot start (and simulated setups never load it).
    const sp = await import('serialport')
    const path = await realpath(this.config.path)
    // SerialPort takes a `binding` option over its own (serialport's stream spreads options last),
    // though its type leaves it out.
    const options = {
      path,
      baudRate: this.config.baudRate,
      autoOpen: false,
      binding: this.deps.binding ?? sp.SerialPort.binding,
    }
    const port = new sp.SerialPort(options)
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())))
    if (!this.running) {
      // stop() came while we were opening.
      port.close(() => {})
      return
    }
    const parser =
      this.config.terminator === 'none'
        ? new sp.InterByteTimeoutParser({
            interval: this.config.interByteTimeoutMs,
            maxBufferSize: MAX_PENDING_BYTES,
          })
        : new sp.RegexParser({ regex: LINE_END })
    const conn: Connection = { port, parser }
    this.#conn = conn
    port.pipe(parser)
    parser.on('data', (chunk: Buffer | string) => {
      // With 'none' a pause ends the code, but a scanner that sends CR anyway must not put it in the code.
      for (const code of chunk.toString().split(LINE_END)) this.scanned(code)
    })
    if (parser instanceof sp.RegexParser) port.on('data', () => this.checkPending(parser))
    port.on('error', (err: Error) => this.warn(`serial port error: ${err.message}`))
    // After a read error serialport closes the port itself with a DisconnectedError.
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) =>
      this.drop(conn, err?.disconnected ? 'unplugged' : err ? describe(err) : 'port closed'),
    )
    port.on('end', () => this.drop(conn, 'unplugged'))
    this.log.info({ path, link: this.config.path }, 'serial scanner opened')
    this.attached(path)
  }

  private checkPending(parser: RegexParser): void {
    if (parser.data.length <= MAX_PENDING_BYTES) return
    parser.data = ''
    this.warnOnce(
      `${MAX_PENDING_BYTES} bytes without CR or LF: set terminator 'none' or program the scanner to send CR`,
    )
  }

  /** The device went away under us (unplug, read error, EOF): release it and start reconnecting. */
  private drop(conn: Connection, detail: string): void {
    if (this.#conn !== conn) return
    this.#conn = undefined
    release(conn)
    if (conn.port.isOpen) conn.port.close(() => {})
    this.lost(detail)
  }

  protected async close(): Promise<void> {
    const conn = this.#conn
    this.#conn = undefined
    if (conn === undefined) return
    release(conn)
    if (conn.port.isOpen) await new Promise<void>((resolve) => conn.port.close(() => resolve()))
  }
}

function release({ port, parser }: Connection): void {
  port.unpipe(parser)
  port.removeAllListeners()
  parser.removeAllListeners()
  // A late error from a port we are done with has nothing left to tell.
  port.on('error', () => {})
  if ('intervalID' in parser) clearTimeout(parser.intervalID)
}
