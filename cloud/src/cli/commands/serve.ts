import { serve } from '../../main.js'
import type { Command } from '../context.js'

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the cloud (broker, ingest, HTTP API) until stopped',
  usage: 'serve',
  async run(_args, ctx) {
    await serve(ctx.env)
    // Keep running: the signal handlers end the process.
    await new Promise(() => {})
    return 0
  },
}
