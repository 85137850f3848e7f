// One Markdown section per suite, for the detailed part of the report.
import { pairedMedian, ratio } from '../lib/stats.mjs'
import { mb, ms, n, OPS, SIZE_LABEL, table, x } from './format.mjs'
import { durableWriteRow, pairedRatio, pairedScaling, singleThreadRate, streamRow } from './lookup.mjs'

export function singleThreadSection(results) {
  const st = results.singleThread
  const backends = [...new Map(st.results.map((r) => [r.backend, r])).values()]
  const parts = [
    `Ops per round: ${n(st.opsPerRound.small)} (small) and ${n(st.opsPerRound.large)} (1 KB); ${st.rounds} rounds, backends alternating, median shown; ratios are the median of the per-round ratios.\n`,
  ]
  for (const b of backends) parts.push(`- **${b.backend}**: ${b.label}${b.pending ? ` — ${b.pending}` : ''}`)
  for (const size of ['small', 'large']) {
    const rows = OPS.map((op) => {
      const rate = (id) => singleThreadRate(results, id, size, op)
      return [
        op,
        ...backends.map((b) => (b.pending ? 'not yet measured' : n(rate(b.backend)))),
        x(pairedRatio(results, 'native', 'js', size, op)),
        x(pairedRatio(results, 'native', 'lmdb', size, op)),
        x(pairedRatio(results, 'native', 'floor', size, op)),
      ]
    })
    parts.push(
      `\n#### ${SIZE_LABEL[size]} values\n`,
      table(['op', ...backends.map((b) => b.backend), 'native/JS', 'native/lmdb', 'native/floor'], rows),
    )
  }
  parts.push('\ngetAll rows are calls/s on a type of 100 actors.')
  return parts.join('\n')
}

export function breakdownSection(results) {
  const rows = results.breakdown.components.map((c) => [c.path, c.label, n(c.nsPerOp), c.cpuPerWall.toFixed(2)])
  return `Small values, ${n(results.breakdown.opsPerRound)} calls per component per round, median of ${results.breakdown.rounds} rounds. cpu/wall above 1.0 means another thread of the process worked during the loop.\n\n${table(['path', 'component', 'ns/op', 'cpu/wall'], rows)}`
}

export function scalingSection(results) {
  const s = results.scaling
  const rows = s.rows.map((r) => [
    r.label,
    r.workers,
    n(r.opsPerSec),
    x(pairedScaling(results, r.variant, r.workers)),
    r.retriesPerWrite.toFixed(4),
  ])
  return `${Math.round(s.readShare * 100)}% get / ${Math.round((1 - s.readShare) * 100)}% CAS increments over ${n(s.actors)} actors, ${s.durationMs} ms per run, ${s.rounds} rounds, median shown; 'vs 1 worker' is the median of the per-round ratios (each round runs every worker count once); the JS owner's clients keep ${s.jsWindow} requests in flight each.\n\n${table(['variant', 'workers', 'ops/s', 'vs 1 worker', 'retries/write'], rows)}`
}

export function contentionSection(results) {
  const c = results.contention
  const rows = c.rows.map((r) => [
    r.label,
    r.gap,
    r.threads,
    n(r.incrementsPerSec),
    r.retriesPerIncrement.toFixed(2),
    r.exact ? 'yes' : '**no**',
  ])
  const redis = results.redis?.cas
  if (redis)
    rows.push([
      `Redis WATCH/MULTI/EXEC, ${redis.clients} connections`,
      'read-write (round trips)',
      1,
      n(redis.incrementsPerSec),
      redis.retriesPerIncrement.toFixed(2),
      redis.exact ? 'yes' : '**no**',
    ])
  return `${c.clients} clients, ${c.durationMs} ms per run. Yield 'read-write': each client awaits between its read and its CAS (all clients race on one version: worst case, like Redis's WATCH round trips); 'between': read and CAS back to back, await after each increment.\n\n${table(['backend', 'yield', 'threads', 'increments/s', 'retries/increment', 'counter exact'], rows)}`
}

export function streamSection(results) {
  const c = results.changeStream
  const line = (who, r) => [
    who,
    r.mode,
    r.subscribers,
    n(r.events),
    n(r.writerEventsPerSec),
    n(r.perSubscriberEventsPerSec),
    n(r.totalDeliveredPerSec),
    ms(r.latency.p50Ms),
    ms(r.latency.p99Ms),
    ms(r.latency.maxMs),
    [
      r.lagged ? 'lagged' : '',
      r.stalled?.length ? `**stalled** at ${r.stalled.join(', ')} events` : '',
      r.rounds
        ? `median of ${r.rounds} rounds; p99 per round: ${r.p99Rounds.map((p) => p.toFixed(3)).join(', ')} ms`
        : '',
    ]
      .filter(Boolean)
      .join('; '),
  ]
  const rows = c.rows.map((r) => line('ActorStore', r))
  for (const r of results.redis?.streams ?? []) rows.push(line('Redis XADD/XREAD', r))
  const flat = streamRow(results, 'flat', 1)
  return `Writer in a worker thread updating ${n(c.actors)} actors round-robin; subscribers are \`for await\` loops on the main thread. Latency = arrival in the loop body − the writer's wall-clock stamp taken just before its update call (\`performance.timeOrigin + performance.now()\`, µs precision). 'paced' writes one event every ${c.paceMicros} µs (repeated ${c.pacedRounds} times, the median round shown). A subscriber that makes no progress for 3 s while events wait for it is closed and reported as stalled. Catch-up (one subscriber replaying the same events from the ring with no writer running, median of ${c.catchUpRounds ?? 1} replay(s)${flat?.catchUpRounds ? `: ${flat.catchUpRounds.map(n).join(', ')}` : ''}): **${n(flat?.catchUpEventsPerSec)} events/s**.\n\n${table(['store', 'writer', 'subscribers', 'events', 'written/s', 'delivered/s per subscriber (slowest)', 'delivered/s total', 'p50', 'p99', 'max', 'notes'], rows)}`
}

export function memorySection(results) {
  const rows = results.memory.rows.map((r) => [
    r.backend === 'native' ? 'ActorStore' : 'JsActorStore',
    n(r.actors),
    mb(r.rssDeltaBytes),
    mb(r.heapTotalDeltaBytes),
    mb(r.heapUsedDeltaBytes),
    mb(r.externalDeltaBytes),
    `**${mb(r.storeBytes)}**`,
    `${(r.storeBytes / r.actors).toFixed(0)} B`,
    `${(r.insertMs / 1000).toFixed(2)} s`,
  ])
  return `Each in a fresh child process (\`--expose-gc\`, gc before each reading); growth from an empty store. Both hold their replay ring (${n(results.memory.rows[0]?.replayBufferSize)} events). Store memory: for JsActorStore the V8 heap in use; for ActorStore RSS less the V8 heap's committed size (which the fill loop's garbage grows in both processes), so all other growth outside V8 counts against it.\n\n${table(['store', 'actors', 'RSS growth', 'V8 heap committed growth', 'V8 heap used growth', 'external growth', 'store memory', 'per actor', 'insert time'], rows)}`
}

export function redisSection(results) {
  const r = results.redis
  if (!r?.available) return `Not measured: ${r?.reason ?? 'skipped'}.`
  const rows = r.single.map((s) => [
    s.label,
    n(s.opsPerSec),
    n(singleThreadRate(results, 'native', 'small', s.op)),
    x(ratio(singleThreadRate(results, 'native', 'small', s.op), s.opsPerSec)),
  ])
  return `${r.version.split(' ').slice(0, 3).join(' ')}, started on 127.0.0.1:${r.port} with ${r.durability}, stopped after. One client, each command awaited (an embedded store has no round trip; this is the cost a service pays instead):\n\n${table(['Redis op (small values)', 'Redis ops/s', 'ActorStore ops/s', 'native/redis'], rows)}`
}

export function persistenceSection(results) {
  const p = results.persistence
  const peer = (row) => (row.peer ? durableWriteRow(results, row.peer) : undefined)
  const writes = p.writes.map((row) => [
    row.label,
    n(row.opsPerSec),
    row.peer ? x(pairedMedian(row.rounds, peer(row)?.rounds)) : '',
    Number.isFinite(row.jsCpuUsPerWrite) ? `${row.jsCpuUsPerWrite.toFixed(2)} µs` : 'n/a',
    Number.isFinite(row.processCpuUsPerWrite) ? `${row.processCpuUsPerWrite.toFixed(2)} µs` : 'n/a',
  ])
  const reopen = p.reopen.map((row) => [
    n(row.actors),
    `${(row.openMs / 1000).toFixed(2)} s`,
    mb(row.rssBytes),
    row.ok ? 'yes' : '**no**',
  ])
  return [
    `Stores on ${p.disk.fileSystem} (${p.disk.dir}). Writes update one of ${n(p.actors)} actors with small values, for ${p.durationMs} ms per run, ${p.rounds} round(s), median shown; 'in flight' is how many writes the caller keeps outstanding. lmdb-js runs with \`useVersions\` and \`overlappingSync: false\`: fsynced before a commit returns or resolves it is as durable as \`'sync'\`, with noSync as \`'process'\`. The ratio (the median of the per-round ratios) compares an ActorStore row with lmdb-js at the same durability, calling style and writes in flight, where lmdb-js has that variant. JS thread CPU per write: the main thread's CPU time over the run ÷ writes (Linux); its inverse is the most writes/s that thread could issue and settle. CPU per write, all threads: the process's CPU time (every thread: the JS thread, the store's own threads, RocksDB's flushes, lmdb-js's writer) over the run ÷ writes; the machine's cores ÷ that is the most writes/s the machine allows at that cost, with every core busy and nothing waiting.\n`,
    table(['writer', 'writes/s', 'vs lmdb-js', 'JS thread CPU per write', 'CPU per write, all threads'], writes),
    `\nReopen: \`ActorStore.open\` of a cleanly closed store in a fresh process (every actor is loaded into memory), ${p.reopenRounds} round(s), median shown.\n`,
    table(['actors', 'open time', 'RSS growth', 'every actor back'], reopen),
  ].join('\n')
}
