// The Markdown report: machine, targets, a summary with ratios against every peer, then one
// section per suite. Every number comes from the results object; missing ones print as n/a.
import { pairedMedian, ratio } from '../lib/stats.mjs'
import { mb, ms, n, SIZE_LABEL, table, verdict, x } from './format.mjs'
import {
  contentionRow,
  durableWriteRow,
  memoryRow,
  pairedRatio,
  redisRoundTrip,
  redisStreamRow,
  scalingRate,
  scalingRounds,
  singleThreadRate,
  streamRow,
} from './lookup.mjs'
import {
  breakdownSection,
  contentionSection,
  memorySection,
  persistenceSection,
  redisSection,
  scalingSection,
  singleThreadSection,
  streamSection,
} from './sections.mjs'

export function targetsTable(results) {
  return table(
    ['target', 'measured', 'verdict', 'note'],
    results.targets.map((t) => [t.target, t.measured, verdict(t), t.note]),
  )
}

export function summaryTable(results) {
  const rows = []
  for (const size of ['small', 'large']) {
    for (const op of ['get', 'insert', 'updateVersioned']) {
      const rate = (b) => singleThreadRate(results, b, size, op)
      const redis = size === 'small' && op === 'get' ? redisRoundTrip(results, 'get') : Number.NaN
      rows.push([
        `${op}, ${SIZE_LABEL[size]}`,
        n(rate('native')),
        n(rate('js')),
        n(rate('lmdb')),
        n(rate('floor')),
        n(redis),
        x(pairedRatio(results, 'native', 'js', size, op)),
        x(pairedRatio(results, 'native', 'lmdb', size, op)),
        x(pairedRatio(results, 'native', 'floor', size, op)),
        x(ratio(rate('native'), redis)),
      ])
    }
  }
  const top = Math.max(...(results.scaling?.workers ?? [1]))
  const mixed = [scalingRate(results, 'native', top), scalingRate(results, 'js-owner', top)]
  rows.push([
    `mixed get/CAS, ${top} workers (ops/s)`,
    n(mixed[0]),
    `${n(mixed[1])} (owner thread)`,
    '',
    '',
    '',
    x(pairedMedian(scalingRounds(results, 'native', top), scalingRounds(results, 'js-owner', top))),
    '',
    '',
    '',
  ])
  const cas = [
    contentionRow(results, 'native', 'read-write')?.incrementsPerSec,
    contentionRow(results, 'js', 'read-write')?.incrementsPerSec,
    results.redis?.cas?.incrementsPerSec,
  ]
  rows.push([
    'CAS, 100 clients, one counter (increments/s)',
    n(cas[0]),
    n(cas[1]),
    '',
    '',
    n(cas[2]),
    x(ratio(cas[0], cas[1])),
    '',
    '',
    x(ratio(cas[0], cas[2])),
  ])
  for (const subscribers of [1, 8]) {
    const native = streamRow(results, 'flat', subscribers)?.perSubscriberEventsPerSec
    const redis = redisStreamRow(results, 'flat', subscribers)?.perSubscriberEventsPerSec
    rows.push([
      `change stream, ${subscribers} subscriber(s) (events/s each)`,
      n(native),
      '',
      '',
      '',
      n(redis),
      '',
      '',
      '',
      x(ratio(native, redis)),
    ])
  }
  const latency = [streamRow(results, 'paced', 1)?.latency.p99Ms, redisStreamRow(results, 'paced', 1)?.latency.p99Ms]
  rows.push([
    'commit-to-delivery p99, paced (lower is better)',
    ms(latency[0]),
    '',
    '',
    '',
    ms(latency[1]),
    '',
    '',
    '',
    `${x(ratio(latency[1], latency[0]))} faster`,
  ])
  const memory = [memoryRow(results, 'native')?.storeBytes, memoryRow(results, 'js')?.storeBytes]
  rows.push([
    `memory, ${n(results.memory?.actors)} actors (lower is better)`,
    `${mb(memory[0])} outside V8`,
    `${mb(memory[1])} heap`,
    '',
    '',
    '',
    x(ratio(memory[0], memory[1])),
    '',
    '',
    '',
  ])
  const durable = [durableWriteRow(results, 'sync-async'), durableWriteRow(results, 'lmdb-async')]
  rows.push([
    `durable writes, fsync per group, ${durable[0]?.inFlight ?? 'n/a'} in flight (writes/s)`,
    n(durable[0]?.opsPerSec),
    '',
    n(durable[1]?.opsPerSec),
    '',
    '',
    '',
    x(pairedMedian(durable[0]?.rounds, durable[1]?.rounds)),
    '',
    '',
  ])
  const reopen = results.persistence?.reopen?.find((r) => r.actors === 1_000_000)
  rows.push([
    'reopen, 1,000,000 actors (lower is better)',
    reopen ? `${(reopen.openMs / 1000).toFixed(2)} s` : 'n/a',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
  ])
  return table(
    [
      'workload (ops/s unless noted)',
      'ActorStore',
      'JsActorStore',
      'lmdb-js',
      'floor',
      'Redis',
      'native/JS',
      'native/lmdb',
      'native/floor',
      'native/redis',
    ],
    rows,
  )
}

export function renderMarkdown(results, charts) {
  const m = results.machine
  const sections = [
    `# Actor Store benchmark — ${results.mode} run`,
    `${m.date} · \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` · ${results.durationSeconds.toFixed(0)} s · load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${results.loadAverageAtEnd.join(' / ')} (a load above ${m.availableParallelism} means other work shared the CPU: read ratios, not absolute numbers)`,
    '## Machine',
    table(
      ['CPU', 'cores', 'RAM', 'OS', 'Node', 'V8', 'lmdb-js', 'ioredis'],
      [
        [
          m.cpuModel,
          `${m.logicalCores} (availableParallelism ${m.availableParallelism})`,
          `${m.totalMemoryGiB} GiB`,
          m.platform,
          m.node,
          m.v8,
          m.lmdb ?? 'n/a',
          m.ioredis ?? 'n/a',
        ],
      ],
    ),
    '## Targets (issue 4)',
    targetsTable(results),
    '## Summary',
    'Ratios are native ÷ peer on throughput (above 1.0: native faster); on the single-thread rows, the median of the per-round ratios (each round runs every backend once). lmdb-js: `useVersions`, ' +
      results.peers.lmdbDurability +
      '. Redis: ' +
      (results.redis?.durability ?? 'not measured') +
      '; its single-thread figures are awaited round trips of one client.',
    summaryTable(results),
  ]
  if (results.singleThread) sections.push('## Single thread', singleThreadSection(results))
  if (results.breakdown) sections.push('## Where the native time goes', breakdownSection(results))
  if (results.scaling) sections.push('## Worker scaling', scalingSection(results))
  if (results.contention) sections.push('## Contention (spec scenario 7)', contentionSection(results))
  if (results.changeStream) sections.push('## Change stream', streamSection(results))
  if (results.memory) sections.push('## Memory', memorySection(results))
  if (results.redis) sections.push('## Redis', redisSection(results))
  if (results.persistence) sections.push('## Persistence (RocksDB)', persistenceSection(results))
  sections.push(
    '## Charts',
    Object.keys(charts)
      .map((file) => `![${file}](${file})`)
      .join('\n\n'),
  )
  return `${sections.join('\n\n')}\n`
}
