// The agent's process entry: what `npm run build:agent` bundles into dist/agent/relais-agent.mjs
// (edge/bin/relais-agent.mjs does the same from the sources, through tsx).
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2))
