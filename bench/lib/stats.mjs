// Small numeric helpers. Every figure in the report is a median over rounds, because this machine
// is shared and single runs are noisy; percentiles come from raw latency samples.

export function median(values) {
  const finite = values.filter((value) => Number.isFinite(value))
  if (finite.length === 0) return Number.NaN
  const sorted = [...finite].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** p in [0, 100], nearest-rank on an unsorted array (sorted here, so the caller's stays intact). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

/** The first counts[i] samples of each typed array, joined into one Float64Array. */
export function joinSamples(arrays, counts) {
  const joined = new Float64Array(counts.reduce((sum, count) => sum + count, 0))
  let offset = 0
  arrays.forEach((array, i) => {
    joined.set(array.subarray(0, counts[i]), offset)
    offset += counts[i]
  })
  return joined
}

/** Operations per second for `count` operations that took `ms` milliseconds. */
export function perSecond(count, ms) {
  return ms > 0 ? (count * 1000) / ms : Number.NaN
}

/** a / b, or NaN when either side is missing, so a missing peer never looks like a real ratio. */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN
}

/**
 * Round-by-round ratios a[i] / b[i] of two series measured in the same rounds. A suite runs every
 * variant once per round, close together, so a slow stretch of a shared machine weighs on both sides
 * of one round's ratio, where it can move one series' median and not the other's.
 */
export function roundRatios(a = [], b = []) {
  const count = Math.min(a.length, b.length)
  return Array.from({ length: count }, (_, i) => ratio(a[i], b[i])).filter(Number.isFinite)
}

/** The median of `roundRatios(a, b)`: the ratio the report shows for two series of rounds. */
export function pairedMedian(a, b) {
  return median(roundRatios(a, b))
}

/** Wall-clock time comparable across threads and processes of this machine, in ms (µs precision). */
export function wallNow() {
  return performance.timeOrigin + performance.now()
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Collects garbage before a timed batch when node runs with --expose-gc, so one backend's garbage is not billed to the next. */
export function collectGarbage() {
  globalThis.gc?.()
}

/** The list rotated by `by`: round r starts with a different backend, so no backend always runs first (or last). */
export function rotate(list, by) {
  const shift = by % list.length
  return [...list.slice(shift), ...list.slice(0, shift)]
}

/** A seeded pseudo-random generator (xorshift32): the same key sequence in every backend and run. */
export function randomGenerator(seed) {
  let state = seed >>> 0 || 1
  return (limit) => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state % limit
  }
}
