// The agent's configuration file (JSON), with defaults for everything a Pi can guess. Validated at start
// with every error listed at once; RELAIS_AGENT_* environment variables override single settings.

import { ID_PATTERN } from '@relais/hardware'
import { type Static, type TSchema, Type } from '@sinclair/typebox'

const Id = Type.String({ pattern: ID_PATTERN })

export const SerialScannerSchema = Type.Object(
  {
    /** A stable name from the udev rule (/dev/relais-scanner-1), re-resolved on every reconnect. */
    path: Type.String({ minLength: 1 }),
    baudRate: Type.Integer({ minimum: 300, maximum: 4_000_000, default: 9600 }),
    /** What ends a code: most scanners send CR, some LF or CRLF; 'none' splits on a pause. */
    terminator: Type.Union(
      [Type.Literal('cr'), Type.Literal('lf'), Type.Literal('crlf'), Type.Literal('none')],
      {
        default: 'cr',
      },
    ),
    /** With terminator 'none': the pause (ms) that ends a code. */
    interByteTimeoutMs: Type.Integer({ minimum: 5, maximum: 2000, default: 50 }),
  },
  { additionalProperties: false },
)

export const HidScannerSchema = Type.Object(
  {
    /** /dev/input/by-id/usb-...-event-kbd: stable across reboots. */
    path: Type.String({ minLength: 1 }),
    /** Take the device exclusively (EVIOCGRAB) so scans do not also type into a console. */
    grab: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
)

export const SimulatedScannerSchema = Type.Object(
  {
    /** Codes to scan on their own, one every `intervalMs` (none: only scans pushed by code). */
    codes: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { default: [] }),
    intervalMs: Type.Integer({ minimum: 10, default: 10_000 }),
  },
  { additionalProperties: false },
)

export const ModeCodesSchema = Type.Object(
  {
    /** Printed codes a household scans to switch mode (DESIGN: the device shows the mode). */
    remove: Type.String({ minLength: 1, default: 'RELAIS-MODE-REMOVE' }),
    add: Type.String({ minLength: 1, default: 'RELAIS-MODE-ADD' }),
    undo: Type.String({ minLength: 1, default: 'RELAIS-UNDO' }),
    /** Back to 'add' after this long in 'remove' mode. */
    removeTimeoutS: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
  },
  { additionalProperties: false, default: {} },
)

export const ScannerSchema = Type.Object(
  {
    id: Id,
    driver: Type.Union([Type.Literal('serial'), Type.Literal('hid'), Type.Literal('simulated')]),
    serial: Type.Optional(SerialScannerSchema),
    hid: Type.Optional(HidScannerSchema),
    simulated: Type.Optional(SimulatedScannerSchema),
    /** Stripped from every code when present (scanners can be programmed to add them). */
    prefix: Type.String({ default: '' }),
    suffix: Type.String({ default: '' }),
    /** The same code within this window is one scan read twice. */
    debounceMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 1500 }),
    modes: ModeCodesSchema,
  },
  { additionalProperties: false },
)

export const JohnnyFiveSchema = Type.Object(
  {
    /** The IO plugin: Firmata over USB serial, or mock-firmata for tests and dry runs. */
    io: Type.Union([Type.Literal('firmata'), Type.Literal('mock')], { default: 'firmata' }),
    /** The Firmata board's serial port, with io 'firmata'. */
    port: Type.Optional(Type.String()),
    /** Pins of an RGB LED (common cathode) or two LEDs; green is required. */
    pins: Type.Object(
      {
        green: Type.Integer({ minimum: 0, maximum: 255 }),
        red: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
        blue: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
        buzzer: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const FeedbackSchema = Type.Object(
  {
    /** Where feedback goes; 'log' writes it to the journal only (headless setups). */
    kind: Type.Union([Type.Literal('johnny-five'), Type.Literal('terminal'), Type.Literal('log')], {
      default: 'log',
    }),
    johnnyFive: Type.Optional(JohnnyFiveSchema),
  },
  { additionalProperties: false, default: {} },
)

/** A button's outputs: green is required; red/blue make it two-colour or RGB; buzzer is an active one. */
function buttonOutputs<T extends TSchema>(one: () => T) {
  return Type.Object(
    { green: one(), red: Type.Optional(one()), blue: Type.Optional(one()), buzzer: Type.Optional(one()) },
    { additionalProperties: false },
  )
}

export const LinuxButtonSchema = Type.Object(
  {
    /** The gpio-key's event device: /dev/input/by-path/platform-<node>-event is stable across reboots. */
    input: Type.String({ minLength: 1 }),
    /** The EV_KEY code the overlay gives the key (linux,code); 256 = BTN_0. */
    keyCode: Type.Integer({ minimum: 0, maximum: 767, default: 256 }),
    /** Where the kernel LED class lives; tests point it at a temp dir. */
    ledsDir: Type.String({ minLength: 1, default: '/sys/class/leds' }),
    /** LED class names (gpio-leds overlay `label`), written as <ledsDir>/<name>/brightness. */
    leds: buttonOutputs(() => Type.String({ pattern: '^[A-Za-z0-9:_.-]{1,64}$' })),
  },
  { additionalProperties: false },
)

export const FirmataButtonSchema = Type.Object(
  {
    /** The board's serial port (StandardFirmata), a stable udev name. */
    port: Type.String({ minLength: 1 }),
    pin: Type.Integer({ minimum: 0, maximum: 127 }),
    /** Button to ground with the internal pull-up (the default), or to 5 V with a pull-down resistor. */
    pullup: Type.Boolean({ default: true }),
    leds: buttonOutputs(() => Type.Integer({ minimum: 0, maximum: 127 })),
  },
  { additionalProperties: false },
)

export const ButtonSchema = Type.Object(
  {
    id: Id,
    io: Type.Union([Type.Literal('linux'), Type.Literal('firmata'), Type.Literal('simulated')]),
    linux: Type.Optional(LinuxButtonSchema),
    firmata: Type.Optional(FirmataButtonSchema),
    /** A second press this soon after the first release makes a double press. */
    doubleGapMs: Type.Integer({ minimum: 100, maximum: 2000, default: 400 }),
    /** Held this long (or longer) is a long press; also johnny-five's holdtime. */
    longMs: Type.Integer({ minimum: 500, maximum: 10_000, default: 2000 }),
    /** The window display stays on this long after the window closed without news. */
    afterWindowMin: Type.Integer({ minimum: 0, maximum: 24 * 60, default: 30 }),
    /** Collected, not found, cancelled or expired is shown this long after it happened, then off. */
    closedShowMin: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15 }),
  },
  { additionalProperties: false },
)

export const BeaconReaderSchema = Type.Object(
  {
    id: Id,
    /** Where advertisements come from: the BLE adapter, a recorded capture, or code (simulators). */
    source: Type.Union([Type.Literal('noble'), Type.Literal('replay'), Type.Literal('simulated')]),
    noble: Type.Optional(
      Type.Object(
        {
          /** hciN when the Pi has more than one adapter. */ hciDevice: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 15 }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    replay: Type.Optional(
      Type.Object(
        {
          /** JSON lines of { t (ms offset), address, rssi, hex (raw advertising data) }. */
          file: Type.String({ minLength: 1 }),
          loop: Type.Boolean({ default: false }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Distance d = 10^((measured + offsetDb - rssi) / (10 pathLoss)); README: calibrating at 1 m. */
    calibration: Type.Object(
      {
        /** Path-loss exponent n: 2 in free space, 2.5-4 indoors with people and shelves. */
        pathLoss: Type.Number({ minimum: 1, maximum: 6, default: 2.5 }),
        /** Added to each beacon's 1 m power: what this reader's antenna and enclosure gain or lose. */
        offsetDb: Type.Number({ minimum: -40, maximum: 40, default: 0 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Hysteresis (dBm, smoothed); the cloud's section may override these three. */
    enterRssi: Type.Number({ minimum: -120, maximum: 0, default: -75 }),
    leaveRssi: Type.Number({ minimum: -120, maximum: 0, default: -85 }),
    leaveTimeoutS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
    /** Readings in a row at or above enterRssi, spanning at least minEnterMs, before an enter. */
    minEnterSamples: Type.Integer({ minimum: 1, maximum: 1000, default: 3 }),
    minEnterMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 0 }),
    /** Readings in a row below leaveRssi before a leave. */
    minLeaveSamples: Type.Integer({ minimum: 1, maximum: 1000, default: 3 }),
    kalman: Type.Object(
      {
        /** How fast the true level may move (dB^2 per second). */
        processNoise: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 1 }),
        /** Noise of one reading (dB^2): 9 is a 3 dB standard deviation. */
        measurementNoise: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 9 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Counts published on the telemetry topic this often. */
    telemetryS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  },
  { additionalProperties: false },
)

export const AgentConfigSchema = Type.Object(
  {
    agent: Type.Object({ id: Id }, { additionalProperties: false }),
    broker: Type.Object(
      {
        /** mqtt://host:1883 or mqtts://host:8883 */
        url: Type.String({ pattern: '^mqtts?://' }),
        /** Defaults to the agent id (DESIGN: agent id = client id = username). */
        username: Type.Optional(Type.String()),
        secret: Type.String({ minLength: 1 }),
        /** PEM file of the CA that signed the broker's certificate, for mqtts. */
        caFile: Type.Optional(Type.String()),
        keepaliveS: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
      },
      { additionalProperties: false },
    ),
    /** Where the outbox lives; must survive reboots. */
    dataDir: Type.String({ default: '/var/lib/relais-agent' }),
    outbox: Type.Object(
      {
        maxEntries: Type.Integer({ minimum: 10, maximum: 10_000_000, default: 100_000 }),
        /** Resent with the same id when no ack came within this time. */
        ackTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
        /** Events published and not yet acked at one time. */
        inflight: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
      },
      { additionalProperties: false, default: {} },
    ),
    health: Type.Object(
      { intervalS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }) },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    scanners: Type.Array(ScannerSchema, { default: [] }),
    buttons: Type.Array(ButtonSchema, { default: [] }),
    /** BLE beacon readers (the contract: hardware/src/kinds/beacon.ts). */
    beacons: Type.Array(BeaconReaderSchema, { default: [] }),
    feedback: FeedbackSchema,
  },
  { additionalProperties: false },
)

export type AgentConfig = Static<typeof AgentConfigSchema>
export type ScannerConfig = Static<typeof ScannerSchema>
export type ButtonConfig = Static<typeof ButtonSchema>
export type BeaconReaderDeviceConfig = Static<typeof BeaconReaderSchema>
export type FeedbackConfig = Static<typeof FeedbackSchema>
