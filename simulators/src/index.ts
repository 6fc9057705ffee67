// @relais/simulators: virtual devices and fleets for demos, scenarios and load.
export { ScannerDevice, type ScannerDeviceOptions } from './scanner-device.js'
