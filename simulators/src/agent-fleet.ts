// Real edge agents with simulated drivers, any number of them in one process: the agent code that
// runs on a Pi (outbox, link, features), with a SimulatedScanner where the USB scanner would be and
// SimulatedButtons where the letterbox buttons would be.
import { join } from 'node:path'
import {
  Agent,
  type AgentConfig,
  type ButtonFeature,
  type ButtonSignal,
  type Logger,
  parseAgentConfig,
  SimulatedButton,
  SimulatedScanner,
} from '@relais/edge'
import type { AckPickup, PressKind } from '@relais/hardware'
import { type HouseholdScenarioOptions, householdScenario } from './household-scenario.js'

export interface SimulatedAgentSpec {
  agent: string
  secret: string
  /** Pickup button device ids (e.g. ['button']); none by default. */
  buttons?: string[]
  /** A fridge scanner `scanner-1`: by default only when the agent has no buttons. */
  scanner?: boolean
  /** This agent's broker URL, when not the fleet's (e.g. a LinkFault in front of the broker). */
  brokerUrl?: string
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
  readonly scanner?: SimulatedScanner
  /** The simulated buttons by device id, as the running agent uses them (new ones after a restart). */
  readonly buttons = new Map<string, SimulatedButton>()
  agent: Agent
  private readonly config: AgentConfig
  private readonly log: Logger
  private timer?: NodeJS.Timeout
  private running = false

  constructor(spec: SimulatedAgentSpec, o: AgentFleetOptions) {
    const buttons = spec.buttons ?? []
    const withScanner = spec.scanner ?? buttons.length === 0
    this.config = parseAgentConfig({
      agent: { id: spec.agent },
      broker: { url: spec.brokerUrl ?? o.brokerUrl, secret: spec.secret },
      dataDir: join(o.dataDir, spec.agent),
      scanners: withScanner ? [{ id: 'scanner-1', driver: 'simulated' }] : [],
      buttons: buttons.map((id) => ({ id, io: 'simulated' })),
      feedback: { kind: 'log' },
      health: { intervalS: 30 },
    })
    this.log = o.log.child({ agent: spec.agent })
    if (withScanner)
      this.scanner = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 1_000_000 }, this.log)
    this.agent = this.newAgent()
  }

  get id(): string {
    return this.config.agent.id
  }

  async start(scenario?: AgentFleetOptions['scenario']): Promise<void> {
    await this.agent.start()
    this.running = true
    if (scenario && this.scanner) {
      const scanner = this.scanner
      const steps = householdScenario(scenario)
      const next = () => {
        if (!this.running) return
        const step = steps.next().value!
        this.timer = setTimeout(() => {
          scanner.push(step.code)
          next()
        }, step.pauseMs)
      }
      next()
    }
  }

  /** Presses a button as a hand would (edges through the agent's classifier); false when it is not there. */
  press(kind: PressKind, device = 'button'): boolean {
    return this.buttons.get(device)?.press(kind) ?? false
  }

  /** The agent's button feature for this device. */
  button(device = 'button'): ButtonFeature | undefined {
    return this.agent.buttons.find((b) => b.device === device)
  }

  /** The request the button keeps on disk (from acks and cmd/pickup). */
  pickup(device = 'button'): AckPickup | undefined {
    return this.button(device)?.pickup
  }

  /** What the button's light shows now (undefined: off). */
  display(device = 'button'): ButtonSignal | undefined {
    return this.button(device)?.display
  }

  async stop(): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    await this.agent.stop({ drainMs: 1000 })
  }

  /** Stops the agent and starts a new one on the same data dir, as a reboot of the Pi would. */
  async restart(): Promise<void> {
    await this.agent.stop({ drainMs: 0 })
    this.agent = this.newAgent()
    await this.agent.start()
  }

  private newAgent(): Agent {
    return new Agent(this.config, this.log, {
      scanSource: () => this.scanner!,
      buttonInput: (bc) => {
        const b = new SimulatedButton(bc.id, bc)
        this.buttons.set(bc.id, b)
        return b
      },
    })
  }
}

export class AgentFleet {
  readonly agents: SimulatedAgent[]

  constructor(private readonly o: AgentFleetOptions) {
    this.agents = o.agents.map((spec) => new SimulatedAgent(spec, o))
  }

  /** The agent with this id. */
  get(id: string): SimulatedAgent {
    const a = this.agents.find((x) => x.id === id)
    if (!a) throw new Error(`no simulated agent '${id}'`)
    return a
  }

  async start(): Promise<void> {
    for (const a of this.agents) await a.start(this.o.scenario)
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()))
  }
}
