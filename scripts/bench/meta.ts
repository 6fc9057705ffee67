// What every bench report says about the machine it ran on, so a reader can judge the noise.
import { cpus, loadavg } from 'node:os'

export function benchMeta<O>(loadBefore: number, options: O) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    load: [loadBefore, loadavg()[0]!] as [number, number],
    options,
  }
}
