// `relais agent add`: provisions an agent (kind, placement, tags) and prints its secret once, or writes
// a ready config file for the Pi with --out (installing it is then: copy the file, start the service).
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { parseArgs } from 'node:util'
import {
  agentConfigFile,
  defaultBrokerUrl,
  hasConfigTemplate,
  noConfigTemplate,
} from '../../domains/agents/agent-config.js'
import { addAgent } from '../../domains/agents/agents.js'
import { AGENT_KINDS, isAgentKind, placementOf } from '../../domains/agents/kinds.js'
import { RelaisError } from '../../lib/errors.js'
import { type Command, configOf, print, UsageError, withDb } from '../context.js'
import { remindExport } from './broker.js'

/** Opens `path` for writing, only if it does not exist yet (no agent file is ever overwritten). */
function createFile(path: string): number {
  try {
    // 0600: the file holds the agent's secret.
    return openSync(path, 'wx', 0o600)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new RelaisError('file_exists', `${path} exists; choose another --out`)
    throw new RelaisError('file_unwritable', `cannot write ${path}: ${(err as Error).message}`)
  }
}

export const agentAddCommand: Command = {
  name: 'agent add',
  summary: 'provision an edge agent; prints its secret once, or writes its config file (--out)',
  usage:
    'agent add <agent> (--household <h> | --site <s> | --zone <z>) [--kind scanner|button|beacon] ' +
    '[--tag <tag>]... [--out <file> [--broker-url mqtt(s)://host:port] [--ca-file <pem>]] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        household: { type: 'string' },
        site: { type: 'string' },
        zone: { type: 'string' },
        kind: { type: 'string' },
        tag: { type: 'string', multiple: true },
        out: { type: 'string' },
        'broker-url': { type: 'string' },
        'ca-file': { type: 'string' },
      },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one agent id')
    const placements = [values.household, values.site, values.zone].filter((v) => v !== undefined)
    if (placements.length !== 1) {
      throw new UsageError(
        'give --household (a fridge scanner), --site (a pickup button) or --zone (a beacon reader)',
      )
    }
    if (values.kind !== undefined && !isAgentKind(values.kind))
      throw new UsageError(`--kind must be one of ${AGENT_KINDS.join(', ')}`)
    const config = configOf(ctx)
    const brokerUrl = values['broker-url'] ?? defaultBrokerUrl(config.mqtt, hostname())
    if (!/^mqtts?:\/\/[^/]+/.test(brokerUrl))
      throw new UsageError(`broker URL '${brokerUrl}' must look like mqtt://host:1883 or mqtts://host:8883`)
    // Refused before anything is stored or created: a wrong placement, or a file for a kind the edge
    // cannot configure yet.
    const { kind } = placementOf({
      kind: values.kind,
      householdId: values.household,
      siteId: values.site,
      zoneId: values.zone,
    })
    if (values.out !== undefined && !hasConfigTemplate(kind)) throw noConfigTemplate(kind)
    const fd = values.out === undefined ? undefined : createFile(values.out)
    let r: Awaited<ReturnType<typeof addAgent>>
    let file: string | undefined
    try {
      r = await withDb(ctx, async (db) => {
        const created = await addAgent(db, {
          id: positionals[0]!,
          kind,
          householdId: values.household,
          siteId: values.site,
          zoneId: values.zone,
          tags: values.tag,
        })
        if (fd !== undefined) {
          const body = agentConfigFile({
            agent: created.agent.id,
            kind: created.agent.kind,
            secret: created.secret,
            brokerUrl,
            caFile: values['ca-file'],
          })
          file = `${JSON.stringify(body, null, 2)}\n`
        }
        return created
      })
    } catch (err) {
      if (fd !== undefined) {
        closeSync(fd)
        unlinkSync(values.out!)
      }
      throw err
    }
    if (fd !== undefined) {
      writeSync(fd, file!)
      closeSync(fd)
    }
    const where = r.agent.householdId
      ? `household ${r.agent.householdId}`
      : r.agent.siteId
        ? `site ${r.agent.siteId}`
        : `zone ${r.agent.zoneId}`
    const summary = {
      agent: r.agent.id,
      kind: r.agent.kind,
      household: r.agent.householdId,
      site: r.agent.siteId,
      zone: r.agent.zoneId,
      username: r.username,
    }
    if (values.out !== undefined) {
      print(
        ctx,
        { ...summary, out: values.out, brokerUrl },
        `${r.agent.kind} agent ${r.agent.id} created for ${where}\nconfig written to ${values.out} (broker ${brokerUrl}; it holds the secret: copy it to the Pi as /etc/relais/agent.json, then start relais-agent)`,
      )
    } else {
      print(
        ctx,
        { ...summary, secret: r.secret },
        `${r.agent.kind} agent ${r.agent.id} created for ${where}\nusername: ${r.username}\nsecret: ${r.secret}\n(shown once; only its hash is stored)`,
      )
    }
    remindExport(ctx)
    return 0
  },
}
