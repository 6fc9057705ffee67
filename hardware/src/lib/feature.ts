// Features are start/stop modules (zigbee2mqtt's extensions): the constructor only stores dependencies,
// start() takes timers, sockets and listeners, stop() releases them. The composition root owns the order.
// Here, in the package edge and cloud share, so both composition roots start and stop alike.

/** The part of a pino logger the helpers use. */
interface Logger {
  debug(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface Feature {
  readonly name: string
  start(): Promise<void> | void
  stop(): Promise<void> | void
}

/**
 * Starts features in order. A failing feature that is `critical` (storage, broker) aborts the boot after
 * stopping what already started; any other is logged and left out, so one broken extra does not take
 * the service down.
 */
export async function startFeatures(
  features: Array<{ feature: Feature; critical: boolean }>,
  log: Logger,
): Promise<Feature[]> {
  const started: Feature[] = []
  for (const { feature, critical } of features) {
    try {
      await feature.start()
      started.push(feature)
      log.debug({ feature: feature.name }, 'feature started')
    } catch (err) {
      if (critical) {
        await stopFeatures(started, log)
        throw err
      }
      log.error({ feature: feature.name, err }, 'feature failed to start; running without it')
    }
  }
  return started
}

/** Stops in reverse order; every feature gets its stop() even if an earlier one throws. */
export async function stopFeatures(started: Feature[], log: Logger): Promise<void> {
  for (const feature of [...started].reverse()) {
    try {
      await feature.stop()
    } catch (err) {
      log.error({ feature: feature.name, err }, 'feature failed to stop cleanly')
    }
  }
}
