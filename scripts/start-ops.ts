// `npm start`'s ops token: one, issued at the first start and kept in the data dir (mode 0600) with the
// other demo credentials, so the ops page's printed link stays the same across restarts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Cloud } from '../cloud/src/app/cloud.js'
import { issueToken } from '../cloud/src/domains/tokens/tokens.js'

export async function demoOpsToken(cloud: Cloud, dataDir: string): Promise<string> {
  const file = join(dataDir, 'demo-ops.json')
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { token: string }).token
  const t = await issueToken(cloud.db, { scope: 'ops', name: 'npm start ops page' })
  writeFileSync(file, JSON.stringify({ id: t.id, token: t.token }, null, 2), { mode: 0o600 })
  return t.token
}
