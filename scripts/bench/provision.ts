// Provisions the Relais data dir before the server starts: one household, `agents` agents in it, and
// half of the bench codes in the catalogue, so acks mix added/incremented with unknown_product. Done in
// this process through cloud/src rather than one CLI run per agent (100 node startups).
import { productKey } from '../../cloud/src/catalogue/product-fields.js'
import { writeProducts } from '../../cloud/src/catalogue/product-store.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { createHousehold } from '../../cloud/src/domains/households/households.js'
import { openDatabase } from '../../cloud/src/storage/db.js'
import { agentId, type Credentials } from './workload.js'

export const HOUSEHOLD = 'bench'

export async function provision(dataDir: string, agents: number, codes: string[]): Promise<Credentials[]> {
  const db = await openDatabase({ dataDir })
  try {
    await createHousehold(db, { id: HOUSEHOLD, name: 'Bench household' })
    const known = codes.flatMap((code, i) => {
      const k = productKey(code)
      return i % 2 === 0 && 'key' in k ? [{ code: k.key, fields: { name: `Bench product ${i}` } }] : []
    })
    await writeProducts(db, known, 'off-csv', Date.now())
    // scrypt runs on the libuv pool: a few at a time instead of 100 in a row.
    const creds: Credentials[] = []
    for (let i = 0; i < agents; i += 8) {
      const ids = Array.from({ length: Math.min(8, agents - i) }, (_, j) => agentId(i + j))
      const made = await Promise.all(ids.map((id) => addAgent(db, { id, householdId: HOUSEHOLD })))
      for (const m of made) creds.push({ agent: m.agent.id, username: m.username, password: m.secret })
    }
    return creds
  } finally {
    await db.destroy()
  }
}
