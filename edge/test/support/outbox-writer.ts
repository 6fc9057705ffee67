// A child process for the power-cut test: adds outbox entries as fast as it can and prints each id
// once add() has returned (that is, once the entry is promised). The test SIGKILLs it at random.
import { Outbox } from '../../src/outbox/outbox.js'

const dir = process.argv[2]!
const start = Number(process.argv[3] ?? 0)
const outbox = new Outbox({ dataDir: dir, maxEntries: 1_000_000 })
for (let i = start; ; i++) {
  const id = `e${String(i).padStart(8, '0')}`
  outbox.add(id, `relais/v1/a/scanner-1/event/scan`, JSON.stringify({ id, pad: 'x'.repeat(200) }))
  process.stdout.write(`${id}\n`)
}
