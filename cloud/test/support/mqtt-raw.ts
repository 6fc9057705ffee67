// A CONNECT written byte by byte (MQTT 3.1.1 section 3.1), for what MQTT.js refuses to send: a
// zero-length client id with CleanSession 0 (MQTT-3.1.3-8). Resolves with the CONNACK return code, or -1
// when the server closed without one.
import { connect } from 'node:net'

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8')
  const len = Buffer.alloc(2)
  len.writeUInt16BE(b.length)
  return Buffer.concat([len, b])
}

function remainingLength(n: number): Buffer {
  const out: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return Buffer.from(out)
}

export function rawConnack(
  port: number,
  o: { clientId: string; clean: boolean; username?: string; password?: string },
): Promise<number> {
  const flags =
    (o.username !== undefined ? 0x80 : 0) | (o.password !== undefined ? 0x40 : 0) | (o.clean ? 0x02 : 0)
  const variable = Buffer.concat([str('MQTT'), Buffer.from([0x04, flags, 0x00, 0x3c])])
  const payload = Buffer.concat([
    str(o.clientId),
    ...(o.username !== undefined ? [str(o.username)] : []),
    ...(o.password !== undefined ? [str(o.password)] : []),
  ])
  const body = Buffer.concat([variable, payload])
  const packet = Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body])
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(packet))
    let got = Buffer.alloc(0)
    socket.on('data', (d) => {
      got = Buffer.concat([got, d])
      if (got.length >= 4) {
        socket.destroy()
        resolve(got[0] === 0x20 ? got[3]! : -1)
      }
    })
    socket.on('close', () => resolve(-1))
    socket.on('error', reject)
  })
}
