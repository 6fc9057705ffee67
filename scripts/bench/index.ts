// `npm run bench`: the ingest bench, the SQLite writer path's, the agent bench, the route planner's, the
// pickup buttons', then the beacon reader's, one after the other (never side by side: each measures
// against a baseline on the same machine). Each is also its own script: bench:ingest, bench:apply,
// bench:agent, bench:route, bench:pickup, bench:beacon. Imported in turn, so each starts when the last
// ended. bench:fleet is left out: a fleet of thousands takes minutes (README, scripts).
await import('./ingest.js')
await import('./apply.js')
await import('./agent.js')
await import('./route.js')
await import('./pickup.js')
await import('./beacon.js')
