// Frames back to bytes, for tests and the simulators' virtual beacons: the inverse of the decoders.
// encodeFrame gives what its decoder takes (manufacturer data for iBeacon and AltBeacon, Eddystone
// service data for the rest); encodeAdvertisement wraps that in a whole advertising payload. A field
// that cannot be sent (out of range, not hex, a URL that does not fit) throws a RangeError: an encoder
// that quietly changed a beacon's identity would be worse than none.
import { EDDYSTONE_SERVICE_UUID } from './eddystone.js'
import { TEMPERATURE_NOT_SUPPORTED } from './eddystone-tlm.js'
import { URL_EXPANSIONS, URL_MAX_ENCODED, URL_SCHEMES } from './eddystone-url.js'
import type { BeaconFrame } from './types.js'

export function encodeFrame(frame: BeaconFrame): Uint8Array {
  switch (frame.format) {
    case 'ibeacon': {
      const uuid = frame.uuid.replaceAll('-', '')
      return bytes(
        [0x4c, 0x00, 0x02, 0x15],
        hex(uuid, 16, 'uuid'),
        u16(frame.major, 'major'),
        u16(frame.minor, 'minor'),
        [i8(frame.tx_power)],
      )
    }
    case 'altbeacon': {
      const c = u16(frame.company_id, 'company_id')
      return bytes([c[1]!, c[0]!, 0xbe, 0xac], hex(frame.beacon_id, 20, 'beacon_id'), [
        i8(frame.tx_power),
        u8(frame.mfg_reserved, 'mfg_reserved'),
      ])
    }
    case 'eddystone-uid':
      return bytes(
        [0x00, i8(frame.tx_power)],
        hex(frame.namespace, 10, 'namespace'),
        hex(frame.instance, 6, 'instance'),
        [0, 0],
      )
    case 'eddystone-url':
      return bytes([0x10, i8(frame.tx_power)], encodeUrl(frame.url))
    case 'eddystone-tlm': {
      // 0 mV on the air means "not supported" (tlm-plain.md), so battery_mv 0 is refused: pass null.
      // uptime_s is derived from sec_count and not sent.
      const mv =
        frame.battery_mv === null ? [0, 0] : u16(int(frame.battery_mv, 1, 0xffff, 'battery_mv'), 'battery_mv')
      return bytes(
        [0x20, 0x00],
        mv,
        temperature(frame.temperature_c),
        u32(frame.adv_count, 'adv_count'),
        u32(frame.sec_count, 'sec_count'),
      )
    }
    case 'eddystone-etlm':
      return bytes(
        [0x20, 0x01],
        hex(frame.etlm, 12, 'etlm'),
        hex(frame.salt, 2, 'salt'),
        hex(frame.mic, 2, 'mic'),
      )
    case 'eddystone-eid':
      return bytes([0x30, i8(frame.tx_power)], hex(frame.eid, 8, 'eid'))
  }
}

/**
 * A whole advertising payload: flags 0x06 (LE General Discoverable, BR/EDR not supported), then for
 * Eddystone the complete list of 16-bit service UUIDs with 0xFEAA (protocol-specification.md) and the
 * service data; for the others the manufacturer specific data.
 */
export function encodeAdvertisement(frame: BeaconFrame): Uint8Array {
  const data = encodeFrame(frame)
  const flags = [0x02, 0x01, 0x06]
  if (frame.format === 'ibeacon' || frame.format === 'altbeacon')
    return bytes(flags, [data.length + 1, 0xff], data)
  const uuid = [EDDYSTONE_SERVICE_UUID & 0xff, EDDYSTONE_SERVICE_UUID >> 8]
  return bytes(flags, [0x03, 0x03, ...uuid, data.length + 3, 0x16, ...uuid], data)
}

/** The shortest encoding of a URL (eddystone-url/README.md): longest scheme, then longest expansions. */
export function encodeUrl(url: string): number[] {
  const schemes = [1, 0, 3, 2] // longest first: https://www. before https://
  const scheme = schemes.find((s) => url.startsWith(URL_SCHEMES[s]!))
  if (scheme === undefined) throw new RangeError(`url: no Eddystone scheme (http://, https://): ${url}`)
  const out = [scheme]
  const expansions = URL_EXPANSIONS.map((text, code) => ({ text, code })).sort(
    (a, b) => b.text.length - a.text.length,
  )
  let i = URL_SCHEMES[scheme]!.length
  while (i < url.length) {
    const e = expansions.find((x) => url.startsWith(x.text, i))
    if (e !== undefined) {
      out.push(e.code)
      i += e.text.length
      continue
    }
    const c = url.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) throw new RangeError(`url: character ${JSON.stringify(url[i])} cannot be sent`)
    out.push(c)
    i++
  }
  if (out.length - 1 > URL_MAX_ENCODED)
    throw new RangeError(`url: ${out.length - 1} bytes encoded, at most ${URL_MAX_ENCODED}: ${url}`)
  return out
}

function temperature(t: number | null): number[] {
  if (t === null) return [TEMPERATURE_NOT_SUPPORTED >> 8, 0]
  const v = Math.round(t * 256)
  // -128.0 is 0x8000, which means "not supported": it cannot be sent as a reading.
  if (!(v > -0x8000 && v <= 0x7fff)) throw new RangeError(`temperature_c: ${t} out of range`)
  return [(v >> 8) & 0xff, v & 0xff]
}

function bytes(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function hex(s: string, n: number, field: string): Uint8Array {
  if (s.length !== n * 2 || !/^[0-9a-fA-F]*$/.test(s))
    throw new RangeError(`${field}: expected ${n * 2} hex digits`)
  return Uint8Array.from({ length: n }, (_, k) => Number.parseInt(s.slice(k * 2, k * 2 + 2), 16))
}

function int(v: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${field}: ${v} not an integer ${min}-${max}`)
  return v
}
const i8 = (v: number) => int(v, -128, 127, 'tx_power') & 0xff
const u8 = (v: number, field: string) => int(v, 0, 0xff, field)
const u16 = (v: number, field: string) => {
  const x = int(v, 0, 0xffff, field)
  return [x >> 8, x & 0xff]
}
const u32 = (v: number, field: string) => {
  const x = int(v, 0, 0xffffffff, field)
  return [Math.floor(x / 0x1000000), (x >> 16) & 0xff, (x >> 8) & 0xff, x & 0xff]
}
