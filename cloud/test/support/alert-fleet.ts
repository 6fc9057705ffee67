// Test support for availability and alerts at fleet scale: a real cloud in process on a data dir that
// survives a restart, driven by a FakeClock, and a fleet of ContractAgents on real sockets.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import { waitFor } from '../../../scripts/testkit/services.js'
import { Cloud } from '../../src/app/cloud.js'
import { loadConfig } from '../../src/app/config.js'
import type { AgentAvailability } from '../../src/domains/availability/availability-state.js'
import { ContractAgent } from './contract-agent.js'
import { FakeClock } from './fake-clock.js'

export const KINDS = ['scanner', 'button', 'beacon'] as const
const DEVICE = { scanner: 'scanner-1', button: 'button', beacon: 'ble-0' } as const

export class AlertFleet {
  readonly clock = new FakeClock(Date.UTC(2026, 5, 1, 8, 0, 0)) // 10:00 in Paris
  readonly dataDir = mkdtempSync(join(tmpdir(), 'relais-alerts-'))
  readonly logs: string[] = []
  cloud!: Cloud
  agents: ContractAgent[] = []

  constructor(private readonly env: Record<string, string>) {}

  async boot(): Promise<Cloud> {
    const sink = new Writable({
      write: (chunk, _enc, cb) => {
        this.logs.push(String(chunk))
        cb()
      },
    })
    const config = loadConfig({
      RELAIS_DATA_DIR: this.dataDir,
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
      RELAIS_TZ: 'Europe/Paris',
      ...this.env,
    })
    this.cloud = new Cloud(config, pino({ level: 'info' }, sink), { clock: this.clock })
    await this.cloud.start()
    return this.cloud
  }

  /** Provisions `n` agents, kinds in turn, with one device each. */
  async provision(n: number, household: string): Promise<ContractAgent[]> {
    const { addAgent } = await import('../../src/domains/agents/agents.js')
    const { createHousehold } = await import('../../src/domains/households/households.js')
    await createHousehold(this.cloud.db, { id: household })
    this.agents = []
    for (let i = 0; i < n; i++) {
      const kind = KINDS[i % 3]!
      const id = `pi-${String(i).padStart(3, '0')}`
      const { secret } = await addAgent(this.cloud.db, { id, householdId: household })
      this.agents.push(new ContractAgent({ agent: id, secret, devices: [{ id: DEVICE[kind], kind }] }))
    }
    return this.agents
  }

  availability(agent: string): AgentAvailability | undefined {
    return this.cloud.alerts?.availability?.get(agent)
  }

  waitAll(what: string, agents: ContractAgent[], check: (r: AgentAvailability) => boolean) {
    return waitFor(
      what,
      async () =>
        agents.every((a) => {
          const r = this.availability(a.agent)
          return r !== undefined && check(r)
        }),
      30_000,
    )
  }

  /**
   * Moves the clock by `ms` (the evaluator ticks on the way), then every agent in `reporting` sends its
   * health at the new time, and waits until the cloud has them all.
   */
  async step(
    ms: number,
    reporting: ContractAgent[],
    fields: (a: ContractAgent) => Record<string, number | boolean | null>,
  ) {
    await this.clock.advance(ms)
    const at = this.clock.now()
    await Promise.all(reporting.map((a) => a.health(fields(a))))
    await this.waitAll('health reports', reporting, (r) => r.lastSeen === at)
  }

  async openAlerts() {
    return this.cloud.db.selectFrom('alerts').selectAll().where('cleared_at', 'is', null).execute()
  }
}
