// Agent and account secrets: stored as scrypt hashes that carry their parameters, so hashes made with
// older parameters keep verifying after the cost was changed (lib/secrets.ts).
import { randomBytes, scryptSync } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hashSecret, newSecret, verifySecret } from '../src/lib/secrets.js'

test('a new hash names scrypt with N=1024 and verifies its secret only', async () => {
  const secret = newSecret()
  assert.is(Buffer.from(secret, 'base64url').length, 32, '256 random bits')
  const stored = await hashSecret(secret)
  assert.match(stored, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
  assert.ok(await verifySecret(secret, stored))
  assert.not.ok(await verifySecret(`${secret}x`, stored))
  assert.not.ok(await verifySecret(newSecret(), stored))
})

test('a hash made with the earlier N=16384 still verifies', async () => {
  const secret = newSecret()
  const salt = randomBytes(16)
  const key = scryptSync(secret, salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
  const stored = ['scrypt', 16384, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')
  assert.ok(await verifySecret(secret, stored))
  assert.not.ok(await verifySecret(`${secret}x`, stored))
})

test('a stored value that is not an scrypt hash verifies nothing', async () => {
  for (const stored of ['', 'plain', 'sha256$abc', 'scrypt$1024$8$1$onlysalt'])
    assert.not.ok(await verifySecret('anything', stored), stored)
})

test.run()
