// Redis, what a TypeScript service would otherwise use (ioredis client, redis-server started here
// on loopback without persistence): single-client awaited round trips (GET + JSON.parse, SET of
// JSON.stringify), the 100-client CAS counter with WATCH/MULTI/EXEC, and a stream (XADD by a
// writer thread, XREAD BLOCK by 1 or 8 readers) with the same stamped values as the store's.
import Redis from 'ioredis'
import { step } from '../lib/progress.mjs'
import { findRedisServer, INSTALL_HINT, REDIS_DURABILITY, startRedis } from '../lib/redis-server.mjs'
import { joinSamples, percentile, wallNow } from '../lib/stats.mjs'
import { valuePool } from '../lib/values.mjs'
import { BenchWorker, StartGate, startAll, stopAll } from '../lib/workers.mjs'

const connect = async (port) => {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  return redis
}

async function roundTrips(port, count) {
  const redis = await connect(port)
  const values = valuePool('small')
  const rows = []
  try {
    for (let i = 0; i < 1000; i++) await redis.set(`actor:${i}`, JSON.stringify(values[i & 15]))
    let started = performance.now()
    for (let i = 0; i < count; i++) await redis.set(`actor:${i % 1000}`, JSON.stringify(values[i & 15]))
    rows.push({
      op: 'update',
      label: 'SET key JSON.stringify(value), awaited',
      opsPerSec: (count * 1000) / (performance.now() - started),
    })
    let sink = 0
    started = performance.now()
    for (let i = 0; i < count; i++) sink += JSON.parse(await redis.get(`actor:${i % 1000}`)).age
    rows.push({
      op: 'get',
      label: 'GET key + JSON.parse, awaited',
      opsPerSec: (count * 1000) / (performance.now() - started),
      sink,
    })
  } finally {
    redis.disconnect()
  }
  return rows
}

async function casCounter(port, clients, durationMs) {
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(port)))
  await connections[0].set('counter', '0')
  let increments = 0
  let retries = 0
  const started = performance.now()
  const deadline = started + durationMs
  const client = async (redis) => {
    while (performance.now() < deadline) {
      for (;;) {
        await redis.watch('counter')
        const count = Number(await redis.get('counter'))
        const result = await redis
          .multi()
          .set('counter', String(count + 1))
          .exec()
        if (result !== null) break
        retries++
      }
      increments++
    }
  }
  try {
    await Promise.all(connections.map(client))
    const ms = performance.now() - started
    const final = Number(await connections[0].get('counter'))
    return {
      clients,
      incrementsPerSec: (increments * 1000) / ms,
      retriesPerIncrement: retries / increments,
      exact: final === increments,
    }
  } finally {
    for (const redis of connections) redis.disconnect()
  }
}

async function readStream(redis, key, expected, latencies) {
  let count = 0
  let last = Number.NaN
  let lastId = '0-0'
  while (count < expected) {
    const reply = await redis.xread('COUNT', 512, 'BLOCK', 5000, 'STREAMS', key, lastId)
    if (reply === null) break
    for (const [id, fields] of reply[0][1]) {
      last = wallNow()
      latencies[count++] = last - JSON.parse(fields[1]).t
      lastId = id
    }
  }
  return { count, last }
}

async function stream(port, settings, { readers, mode, events }) {
  const key = `stream-${mode}-${readers}`
  const connections = await Promise.all(Array.from({ length: readers }, () => connect(port)))
  const latencies = connections.map(() => new Float64Array(events))
  const gate = new StartGate()
  const writer = new BenchWorker('redis-stream-writer.mjs', {
    port,
    key,
    events,
    mode,
    paceMicros: settings.paceMicros,
    gate: gate.buffer,
  })
  try {
    const consumers = connections.map((redis, i) => readStream(redis, key, events, latencies[i]))
    await startAll([writer], gate)
    const [done, ...results] = await Promise.all([writer.message('done'), ...consumers])
    const rates = results.map((r) => (r.count * 1000) / (r.last - done.started))
    const all = joinSamples(
      latencies,
      results.map((r) => r.count),
    )
    return {
      mode,
      subscribers: readers,
      events,
      writerEventsPerSec: (events * 1000) / (done.ended - done.started),
      perSubscriberEventsPerSec: Math.min(...rates),
      totalDeliveredPerSec: rates.reduce((sum, rate) => sum + rate, 0),
      latency: { p50Ms: percentile(all, 50), p99Ms: percentile(all, 99), maxMs: percentile(all, 100) },
    }
  } finally {
    await stopAll([writer])
    for (const redis of connections) redis.disconnect()
  }
}

export async function runRedis(config) {
  const settings = config.redis
  const installed = findRedisServer()
  if (installed === undefined) {
    step(`redis: redis-server not installed, skipped (${INSTALL_HINT})`)
    return { available: false, reason: `redis-server is not installed: ${INSTALL_HINT}` }
  }
  step(`redis: starting ${installed.version.split(' ').slice(0, 3).join(' ')}`)
  const server = await startRedis(installed.path)
  try {
    step(`redis: ${settings.roundTrips} awaited round trips per op, one client`)
    const single = await roundTrips(server.port, settings.roundTrips)
    step(`redis: ${settings.clients} clients CAS-incrementing one counter (WATCH/MULTI/EXEC)`)
    const cas = await casCounter(server.port, settings.clients, settings.casDurationMs)
    const streams = []
    for (const readers of [1, 8]) {
      step(`redis: stream, ${settings.streamEvents} XADD flat out, ${readers} XREAD reader(s)`)
      streams.push(await stream(server.port, settings, { readers, mode: 'flat', events: settings.streamEvents }))
    }
    step(`redis: stream latency, ${settings.pacedEvents} XADD paced ${config.changeStream.paceMicros} µs apart`)
    streams.push(
      await stream(
        server.port,
        { paceMicros: config.changeStream.paceMicros },
        { readers: 1, mode: 'paced', events: settings.pacedEvents },
      ),
    )
    return {
      available: true,
      version: installed.version,
      durability: REDIS_DURABILITY,
      port: server.port,
      single,
      cas,
      streams,
    }
  } finally {
    await server.stop()
    step('redis: stopped')
  }
}
