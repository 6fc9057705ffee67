// The agent bench's baseline: a bare Node process holding one MQTT.js connection, subscribed to one
// topic, idle. It connects as an agent would (its own agent account, same keepalive, clean session) and
// imports nothing but mqtt, so the agent/baseline RSS ratio is what the agent adds to "Node + MQTT".
// Settings from the environment (the bench builds the topic with @relais/hardware, so none is made
// here): BENCH_URL, BENCH_AGENT, BENCH_SECRET, BENCH_TOPIC. Prints one line, `connected`, when
// subscribed; exits on SIGTERM or SIGINT.
import mqtt from 'mqtt'

const need = (name: string): string => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} must be set`)
  return v
}

const client = mqtt.connect(need('BENCH_URL'), {
  clientId: need('BENCH_AGENT'),
  username: need('BENCH_AGENT'),
  password: need('BENCH_SECRET'),
  keepalive: 30,
  clean: true,
  reconnectPeriod: 1000,
})
client.on('connect', () => {
  client.subscribe(need('BENCH_TOPIC'), { qos: 1 }, (err) => {
    if (err) throw err
    process.stdout.write('connected\n')
  })
})
client.on('error', (err) => process.stderr.write(`bare-mqtt-client: ${err.message}\n`))

const stop = () => client.end(false, {}, () => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
