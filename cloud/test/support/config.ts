// Test support: what loadConfig refuses for an environment, each problem naming its variable.
import { ConfigError, loadConfig } from '../../src/app/config.js'

export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
}
