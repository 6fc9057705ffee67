// Changes of agent state a person would see (online, devices, pending count), for live pages. Carries
// the agent's household so a household's event stream can filter without a query per event.
import { EventEmitter } from 'node:events'

export interface AgentChange {
  agent: string
  householdId: string | null
}

export class FleetEvents extends EventEmitter<{ change: [AgentChange] }> {
  constructor() {
    super()
    // Every open household page listens; the default limit of 10 would warn on an ordinary evening.
    this.setMaxListeners(0)
  }
}
