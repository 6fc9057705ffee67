// `relais serve`: the cloud alone, until SIGTERM or SIGINT, then a graceful stop.
import { Cloud } from './app/cloud.js'
import { loadConfig } from './app/config.js'

export async function serve(env: Record<string, string | undefined> = process.env): Promise<Cloud> {
  const cloud = new Cloud(loadConfig(env))
  await cloud.start()
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    cloud.log.info({ signal }, 'stopping')
    cloud.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        cloud.log.error({ err }, 'unclean stop')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  return cloud
}
