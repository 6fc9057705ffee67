#!/usr/bin/env node
// The `relais` command. Runs the TypeScript sources through tsx's loader, so the CLI and the server
// never drift from a stale build.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
