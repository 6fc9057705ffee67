// Every `relais` command. Add one here when you add a file under commands/.
import type { Command } from '../context.js'
import { barcodeCommand } from './barcode.js'
import { catalogueImportCommand } from './catalogue.js'

export const commands: Command[] = [catalogueImportCommand, barcodeCommand]
