// Secrets and tokens. Agent secrets are stored as scrypt hashes (DESIGN.md: "stored only as a hash");
// API tokens, 256-bit random like the secrets, as sha256 so a request can be checked by index lookup.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

// N = 1024 (1 MiB, about 2 ms here) rather than scrypt's interactive-login 16384 (16 MiB, 34 ms): the
// secrets are 256 random bits, out of reach of any guessing however fast the hash, so the stretching
// only bought cost at every first CONNECT. That cost is what a broker pays when thousands of agents
// reconnect at once (a restart, a cluster node's death): 10,000 agents took about 6 minutes of CPU at
// 16384, about 20 s at 1024. Hashes keep their parameters: older ones verify as they were made, and
// `relais agent rotate` remakes one with these.
const SCRYPT = { N: 1024, r: 8, p: 1, keylen: 32 }

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}

function scryptAsync(
  secret: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  keylen: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

/** `scrypt$N$r$p$salt$hash`, parameters stored so they can be raised later without a migration. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  )
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$')
  if (alg !== 'scrypt' || salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64url')
  const key = await scryptAsync(
    secret,
    Buffer.from(salt, 'base64url'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  )
  return key.length === expected.length && timingSafeEqual(key, expected)
}
