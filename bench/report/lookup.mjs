// Finding numbers in a results object, shared by the targets, the Markdown and the charts.
import { pairedMedian, roundRatios } from '../lib/stats.mjs'

export function singleThreadRate(results, backend, size, op) {
  const row = results.singleThread?.results.find((r) => r.backend === backend && r.size === size && r.op === op)
  return row?.opsPerSec ?? Number.NaN
}

/** The rounds of `backend` and of `peer` on one single-thread workload. */
function pairedRounds(results, backend, peer, size, op) {
  const rounds = (id) =>
    results.singleThread?.results.find((r) => r.backend === id && r.size === size && r.op === op)?.rounds
  return [rounds(backend), rounds(peer)]
}

/** Per-round ratios of `backend` to `peer` on one single-thread workload (see `roundRatios`). */
export function pairedRoundRatios(results, backend, peer, size, op) {
  return roundRatios(...pairedRounds(results, backend, peer, size, op))
}

/** The median of `pairedRoundRatios`: the single-thread ratio every table and target shows. */
export function pairedRatio(results, backend, peer, size, op) {
  return pairedMedian(...pairedRounds(results, backend, peer, size, op))
}

export function scalingRate(results, variant, workers) {
  return results.scaling?.rows.find((r) => r.variant === variant && r.workers === workers)?.opsPerSec ?? Number.NaN
}

/** Each round's ops/s of `variant` with `workers` workers. */
export function scalingRounds(results, variant, workers) {
  return results.scaling?.rows.find((r) => r.variant === variant && r.workers === workers)?.rounds
}

/** The median per-round ratio of `variant` with `workers` workers to the same with `baseline`. */
export function pairedScaling(results, variant, workers, baseline = 1) {
  return pairedMedian(scalingRounds(results, variant, workers), scalingRounds(results, variant, baseline))
}

export function streamRow(results, mode, subscribers) {
  return results.changeStream?.rows.find((r) => r.mode === mode && r.subscribers === subscribers)
}

export function redisStreamRow(results, mode, subscribers) {
  return results.redis?.streams?.find((r) => r.mode === mode && r.subscribers === subscribers)
}

export function memoryRow(results, backend) {
  return results.memory?.rows.find((r) => r.backend === backend)
}

export function contentionRow(results, backend, gap) {
  return results.contention?.rows.find((r) => r.backend === backend && r.gap === gap)
}

export function redisRoundTrip(results, op) {
  return results.redis?.single?.find((r) => r.op === op)?.opsPerSec ?? Number.NaN
}

export function durableWriteRow(results, id) {
  return results.persistence?.writes?.find((r) => r.id === id)
}

export function reopenRow(results, actors) {
  return results.persistence?.reopen?.find((r) => r.actors === actors)
}
