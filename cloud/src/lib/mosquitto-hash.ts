// A secret hashed as Mosquitto 2.0's password file stores it (mosquitto_passwd's default, sha512-pbkdf2):
//   $7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512(secret, salt, iterations, 64 bytes)>
// checked against `mosquitto_passwd -b` output and a real CONNECT (cloud/test/mosquitto-export*.test.ts).
import { pbkdf2, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

/**
 * 101, mosquitto_passwd's own default. Stretching protects guessable passwords; Relais secrets are 256
 * random bits (lib/secrets.ts), which no iteration count makes easier or harder to find from a leaked
 * hash. What the count does cost is Mosquitto's one thread at every CONNECT: a reconnect storm of
 * 10,000 agents after an outage is 10,000 checks, about 1 s at 101 iterations, 10 s at 1,000.
 */
export const MOSQUITTO_ITERATIONS = 101
const SALT_BYTES = 12
const KEY_BYTES = 64

export async function mosquittoHash(
  secret: string,
  o: { iterations?: number; salt?: Buffer } = {},
): Promise<string> {
  const iterations = o.iterations ?? MOSQUITTO_ITERATIONS
  const salt = o.salt ?? randomBytes(SALT_BYTES)
  const key = await pbkdf2Async(secret, salt, iterations, KEY_BYTES, 'sha512')
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Checks a secret against a `$7$` hash (tests, and the export's check of the cloud's own login). */
export async function verifyMosquittoHash(secret: string, hash: string): Promise<boolean> {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash)
  if (m === null) return false
  const again = await mosquittoHash(secret, { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64') })
  return again === hash
}
