// @relais/hardware: the device catalogue and the wire contract. A leaf: imports nothing internal.
export * from './barcode/index.js'
export * from './contract/envelope.js'
export * from './contract/ids.js'
export * from './contract/messages.js'
export * from './contract/topics.js'
export * from './contract/validate.js'
export * from './kinds/scanner.js'
export * from './lib/backoff.js'
