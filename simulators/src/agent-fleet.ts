// Real edge agents with simulated drivers, any number of them in one process: the agent code that
// runs on a Pi (outbox, link, features), with a SimulatedScanner where the USB scanner would be.
import { join } from 'node:path'
import { Agent, type Logger, parseAgentConfig, SimulatedScanner } from '@relais/edge'
import { type HouseholdScenarioOptions, householdScenario } from './household-scenario.js'

export interface SimulatedAgentSpec {
  agent: string
  secret: string
}

export interface AgentFleetOptions {
  brokerUrl: string
  dataDir: string
  agents: SimulatedAgentSpec[]
  log: Logger
  /** When given, each agent's scanner follows a household scenario. */
  scenario?: Omit<HouseholdScenarioOptions, 'random'>
}

export class SimulatedAgent {
  readonly scanner: SimulatedScanner
  readonly agent: Agent
  private timer?: NodeJS.Timeout
  private running = false

  constructor(spec: SimulatedAgentSpec, o: AgentFleetOptions) {
    const config = parseAgentConfig({
      agent: { id: spec.agent },
      broker: { url: o.brokerUrl, secret: spec.secret },
      dataDir: join(o.dataDir, spec.agent),
      scanners: [{ id: 'scanner-1', driver: 'simulated' }],
      feedback: { kind: 'log' },
      health: { intervalS: 30 },
    })
    const log = o.log.child({ agent: spec.agent })
    this.scanner = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 1_000_000 }, log)
    this.agent = new Agent(config, log, { scanSource: () => this.scanner })
  }

  async start(scenario?: AgentFleetOptions['scenario']): Promise<void> {
    await this.agent.start()
    this.running = true
    if (scenario) {
      const steps = householdScenario(scenario)
      const next = () => {
        if (!this.running) return
        const step = steps.next().value!
        this.timer = setTimeout(() => {
          this.scanner.push(step.code)
          next()
        }, step.pauseMs)
      }
      next()
    }
  }

  async stop(): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    await this.agent.stop({ drainMs: 1000 })
  }
}

export class AgentFleet {
  readonly agents: SimulatedAgent[]

  constructor(private readonly o: AgentFleetOptions) {
    this.agents = o.agents.map((spec) => new SimulatedAgent(spec, o))
  }

  async start(): Promise<void> {
    for (const a of this.agents) await a.start(this.o.scenario)
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()))
  }
}
