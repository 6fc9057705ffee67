#!/usr/bin/env -S node --max-semi-space-size=48
// The `relais` command. Runs the TypeScript sources through tsx's loader, so the CLI and the server
// never drift from a stale build.
//
// --max-semi-space-size=48 (MB; V8's default is 16): `relais serve` allocates 13-20 KB an event on the
// broker's thread (MQTT parsing and writing, acks) and keeps the events in flight across collections.
// With the default young generation it scavenged every ~35 ms, copying ~700 KB each time: 7.2 % of the
// thread's time paused. At 48 MB it scavenges every ~180 ms: 3.7 % (--trace-gc-nvp, 10 clients at
// saturation), for ~45 MB more RSS under load. An upper bound: an idle process or a short command
// never grows into it. The bench starts both of its servers with the flags read from this line.

import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
