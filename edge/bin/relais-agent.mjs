#!/usr/bin/env node
// The `relais-agent` command from the sources (development). On the device the esbuild bundle
// (npm run build:agent) runs instead, with no TypeScript loader.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli.ts')
process.exitCode = await main(process.argv.slice(2))
