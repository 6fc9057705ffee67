// `npm run bench`: the ingest bench, the agent bench, then the route planner's, one after the other
// (never side by side: each measures against a baseline on the same machine). Each is also its own
// script: bench:ingest, bench:agent, bench:route. Imported in turn, so each starts when the last ended.
await import('./ingest.js')
await import('./agent.js')
await import('./route.js')
