// Loads the writer thread's TypeScript. Module hooks registered in the main thread (`--import tsx` or
// the relais bin's register()) do not reach worker threads on Node 20, so the worker registers its own.
import { register } from 'tsx/esm/api'

register()
await import('./apply-worker.ts')
