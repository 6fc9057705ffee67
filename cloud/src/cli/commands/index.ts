// Every `relais` command. Add one here when you add a file under commands/.
import type { Command } from '../context.js'
import { accountAddCommand, accountListCommand, accountRevokeCommand } from './account.js'
import { agentAddCommand } from './agent.js'
import { agentListCommand, agentRevokeCommand, agentRotateCommand, agentTagCommand } from './agent-manage.js'
import { barcodeCommand } from './barcode.js'
import { brokerExportCommand } from './broker.js'
import { catalogueImportCommand } from './catalogue.js'
import { courierAddCommand } from './courier.js'
import { depotAddCommand } from './depot.js'
import { householdAddCommand } from './household.js'
import { routePlanCommand } from './route.js'
import { serveCommand } from './serve.js'
import { siteAddCommand, siteAssignCommand } from './site.js'
import { tokenAddCommand, tokenRevokeCommand } from './token.js'
import { zoneAddCommand, zonePlaceCommand, zoneTokenCommand } from './zone.js'

export const commands: Command[] = [
  serveCommand,
  householdAddCommand,
  agentAddCommand,
  agentListCommand,
  agentTagCommand,
  agentRotateCommand,
  agentRevokeCommand,
  accountAddCommand,
  accountListCommand,
  accountRevokeCommand,
  brokerExportCommand,
  siteAddCommand,
  siteAssignCommand,
  depotAddCommand,
  courierAddCommand,
  tokenAddCommand,
  tokenRevokeCommand,
  zoneAddCommand,
  zonePlaceCommand,
  zoneTokenCommand,
  catalogueImportCommand,
  barcodeCommand,
  routePlanCommand,
]
