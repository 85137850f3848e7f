// Which charts the report has and what goes into them: single-thread throughput per value size,
// the multi-threaded and peer workloads, and worker scaling.

import { contentionRow, redisRoundTrip, redisStreamRow, scalingRate, singleThreadRate, streamRow } from './lookup.mjs'
import { barChart, compact, speedupChart } from './svg.mjs'

const COLORS = {
  native: '#d9480f',
  js: '#1c7ed6',
  lmdb: '#2b8a3e',
  floor: '#868e96',
  rocksdb: '#ae3ec9',
  redis: '#c92a2a',
}
const OPS = ['insert', 'get', 'update', 'updateVersioned', 'getAll', 'delete']

function throughput(results, size, label) {
  const rows = results.singleThread.results
  const backends = [...new Map(rows.map((r) => [r.backend, r])).values()]
  return barChart({
    title: `Single thread, ${label} values: operations per second (log scale)`,
    subtitle: 'median of rounds; getAll is calls/s over 100 actors; higher is better',
    series: backends.map((b) => ({ id: b.backend, label: b.short ?? b.label, color: COLORS[b.backend] ?? '#333' })),
    groups: OPS.map((op) => ({
      label: op,
      values: Object.fromEntries(
        backends.map((b) => [
          b.backend,
          b.pending ? 'not yet measured' : singleThreadRate(results, b.backend, size, op),
        ]),
      ),
    })),
  })
}

function workloads(results) {
  const workers = Math.max(...results.scaling.workers)
  const num = (v) => (Number.isFinite(v) ? v : null)
  return barChart({
    title: 'Multi-threaded and streaming workloads (log scale)',
    subtitle: 'ops/s, increments/s or events/s as labelled; higher is better',
    series: [
      { id: 'native', label: 'ActorStore', color: COLORS.native },
      { id: 'js', label: 'JsActorStore', color: COLORS.js },
      { id: 'redis', label: 'Redis (ioredis)', color: COLORS.redis },
    ],
    groups: [
      {
        label: `mixed, ${workers} workers`,
        values: {
          native: num(scalingRate(results, 'native', workers)),
          js: num(scalingRate(results, 'js-owner', workers)),
        },
      },
      {
        label: 'CAS 100 clients',
        values: {
          native: num(contentionRow(results, 'native', 'read-write')?.incrementsPerSec),
          js: num(contentionRow(results, 'js', 'read-write')?.incrementsPerSec),
          redis: num(results.redis?.cas?.incrementsPerSec),
        },
      },
      {
        label: 'stream, 1 subscriber',
        values: {
          native: num(streamRow(results, 'flat', 1)?.perSubscriberEventsPerSec),
          redis: num(redisStreamRow(results, 'flat', 1)?.perSubscriberEventsPerSec),
        },
      },
      {
        label: 'stream, 8 subs (total)',
        values: {
          native: num(streamRow(results, 'flat', 8)?.totalDeliveredPerSec),
          redis: num(redisStreamRow(results, 'flat', 8)?.totalDeliveredPerSec),
        },
      },
      {
        label: 'get (1 client)',
        values: {
          native: num(singleThreadRate(results, 'native', 'small', 'get')),
          js: num(singleThreadRate(results, 'js', 'small', 'get')),
          redis: num(redisRoundTrip(results, 'get')),
        },
      },
    ],
  })
}

function scaling(results) {
  const { workers } = results.scaling
  const variants = [
    ['native', 'ActorStore shared by name', COLORS.native],
    ['js-owner', 'JsActorStore owner thread + postMessage', COLORS.js],
    ['control', 'control: pure JS, nothing shared', '#495057'],
  ]
  return speedupChart({
    title: 'Worker scaling: speed-up over one worker',
    subtitle: `mixed ${Math.round(results.scaling.readShare * 100)}% get / ${Math.round((1 - results.scaling.readShare) * 100)}% CAS over ${results.scaling.actors.toLocaleString('en')} actors; labels give total ops/s`,
    maxX: Math.max(...workers),
    series: variants.map(([variant, label, color]) => {
      const base = scalingRate(results, variant, 1)
      return {
        label: `${label} (1 worker: ${compact(base)}/s)`,
        color,
        points: workers.map((w) => ({
          x: w,
          y: scalingRate(results, variant, w) / base,
          note: `${compact(scalingRate(results, variant, w))}/s`,
        })),
      }
    }),
  })
}

function durableWrites(results) {
  const writes = results.persistence.writes
  const native = writes.filter((row) => row.store === 'native')
  return barChart({
    title: 'Durable writes on disk: writes per second (log scale)',
    subtitle: `${results.persistence.disk.fileSystem}; lmdb-js at the same durability, calling style and writes in flight where it has one; higher is better`,
    series: [
      { id: 'rocksdb', label: 'ActorStore.open (RocksDB)', color: COLORS.rocksdb },
      { id: 'lmdb', label: 'lmdb-js (on disk)', color: COLORS.lmdb },
    ],
    groups: native.map((row) => {
      const lmdb = row.peer ? writes.find((w) => w.id === row.peer) : undefined
      return {
        label: `'${row.durability}', ${row.style === 'sync' ? 'sync call' : `async ×${row.inFlight}`}`,
        values: { rocksdb: row.opsPerSec, lmdb: lmdb?.opsPerSec ?? null },
      }
    }),
  })
}

/** { fileName: svgText } */
export function renderCharts(results) {
  const charts = {}
  if (results.singleThread) {
    charts['throughput-small.svg'] = throughput(results, 'small', 'small (~60 B)')
    charts['throughput-1kb.svg'] = throughput(results, 'large', '~1 KB')
  }
  if (results.scaling) {
    charts['workloads.svg'] = workloads(results)
    charts['scaling.svg'] = scaling(results)
  }
  if (results.persistence) charts['durable-writes.svg'] = durableWrites(results)
  return charts
}
