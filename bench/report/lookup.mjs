// Finding numbers in a results object, shared by the targets, the Markdown and the charts.

export function singleThreadRate(results, backend, size, op) {
  const row = results.singleThread?.results.find((r) => r.backend === backend && r.size === size && r.op === op)
  return row?.opsPerSec ?? Number.NaN
}

/**
 * Per-round ratios of `backend` to `peer` on one single-thread workload. Every round runs both back
 * to back (the order rotating), so a slow stretch of a shared machine slows both sides of a round's
 * ratio alike, where it can move one side's median and not the other's.
 */
export function pairedRoundRatios(results, backend, peer, size, op) {
  const rounds = (id) =>
    results.singleThread?.results.find((r) => r.backend === id && r.size === size && r.op === op)?.rounds
  const ours = rounds(backend) ?? []
  const theirs = rounds(peer) ?? []
  const count = Math.min(ours.length, theirs.length)
  return Array.from({ length: count }, (_, i) => (theirs[i] > 0 ? ours[i] / theirs[i] : Number.NaN)).filter(
    Number.isFinite,
  )
}

export function scalingRate(results, variant, workers) {
  return results.scaling?.rows.find((r) => r.variant === variant && r.workers === workers)?.opsPerSec ?? Number.NaN
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
