import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { listenHttp } from '../src/http/server.js'
import { RelaisError } from '../src/lib/errors.js'
import { httpFixture } from './support/http-app.js'

const t = suite('http: health, errors, listening')

t('GET /healthz needs no token and gives status, version and the checks handed in', async () => {
  const f = await httpFixture({ health: () => ({ mqttClients: 3, status: 'overridden?' }) })
  try {
    const res = await f.app.inject({ url: '/healthz' })
    assert.is(res.statusCode, 200)
    assert.equal(res.json(), { mqttClients: 3, status: 'ok', version: '9.9.9' })
    assert.is(res.headers['cache-control'], 'no-store')
  } finally {
    await f.close()
  }
})

t('GET /healthz without checks is just status and version', async () => {
  const f = await httpFixture()
  try {
    const res = await f.app.inject({ url: '/healthz', headers: f.auth(f.tokens.home) })
    assert.equal(res.json(), { status: 'ok', version: '9.9.9' })
  } finally {
    await f.close()
  }
})

t('an unexpected error is a bare 500, logged with the request id', async () => {
  const f = await httpFixture({
    health: () => {
      throw new Error('SQLITE_CORRUPT: secret detail')
    },
  })
  try {
    const res = await f.app.inject({ url: '/healthz' })
    assert.is(res.statusCode, 500)
    assert.equal(res.json(), { error: 'internal', message: 'internal error' })
    assert.not.ok(res.body.includes('SQLITE'))
    const reqId = String(res.headers['x-request-id'])
    const line = f.logs.map((l) => JSON.parse(l)).find((l) => l.level === 50)
    assert.ok(line, 'an error line was logged')
    assert.is(line.reqId, reqId)
    assert.match(line.err.message, 'SQLITE_CORRUPT')
  } finally {
    await f.close()
  }
})

t('listenHttp returns the bound port, and a port in use is an error naming RELAIS_HTTP_PORT', async () => {
  const a = await httpFixture()
  const b = await httpFixture()
  try {
    const port = await listenHttp(a.app, { host: '127.0.0.1', port: 0 })
    assert.ok(port > 0)
    const res = await fetch(`http://127.0.0.1:${port}/healthz`)
    assert.is(res.status, 200)
    try {
      await listenHttp(b.app, { host: '127.0.0.1', port })
      assert.unreachable('the second listen should fail')
    } catch (err) {
      assert.instance(err, RelaisError)
      assert.is((err as RelaisError).code, 'http_port_in_use')
      assert.match((err as Error).message, 'RELAIS_HTTP_PORT')
      assert.match((err as Error).message, String(port))
    }
  } finally {
    await a.close()
    await b.close()
  }
})

t.run()
