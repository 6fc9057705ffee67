// Changes to shopping lists, for live views (server-sent events) and the online product lookup.
import { EventEmitter } from 'node:events'

export interface ListChange {
  householdId: string
  itemId?: string
  reason: 'scan' | 'edit' | 'delete' | 'rename'
}

export class ListEvents extends EventEmitter<{
  change: [ListChange]
  unknown: [{ householdId: string; code: string }]
}> {
  constructor() {
    super()
    // Every open household page listens; the default limit of 10 would warn on an ordinary evening.
    this.setMaxListeners(0)
  }
}
