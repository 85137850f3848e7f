// Run sizes: --quick (about two minutes in all) and the full run. Rounds are odd so the median
// is a measured round, not an average of two. The full run gives worker scaling and durable writes
// more rounds than their runs' length alone would need: their rounds swing the most on a shared
// machine (2 workers over 1 ranged 1.38–2.10× round by round in one run).
import os from 'node:os'

const cores = os.availableParallelism()

const QUICK = {
  mode: 'quick',
  singleThread: {
    warmupRounds: 1,
    rounds: 7,
    ops: { small: 10_000, large: 4_000 },
    groupSize: 100,
    getAllCalls: { small: 300, large: 60 },
  },
  breakdown: { rounds: 5, ops: 20_000 },
  scaling: { workers: range(cores), rounds: 3, durationMs: 600, actors: 10_000, readShare: 0.8, jsWindow: 32 },
  contention: { clients: 100, rounds: 3, durationMs: 800 },
  changeStream: {
    events: 200_000,
    subscribers: [1, 8],
    pacedEvents: 2_000,
    pacedRounds: 3,
    catchUpRounds: 1,
    paceMicros: 200,
    replayBufferSize: 1 << 21,
  },
  memory: { actors: 1_000_000 },
  redis: { clients: 100, casDurationMs: 800, streamEvents: 50_000, pacedEvents: 1_000, roundTrips: 4_000 },
  persistence: { actors: 10_000, durationMs: 1_000, rounds: 1, reopenActors: [100_000, 1_000_000], reopenRounds: 1 },
}

const FULL = {
  mode: 'full',
  singleThread: {
    warmupRounds: 2,
    rounds: 11,
    ops: { small: 40_000, large: 15_000 },
    groupSize: 100,
    getAllCalls: { small: 1_000, large: 200 },
  },
  breakdown: { rounds: 11, ops: 100_000 },
  scaling: { workers: range(cores), rounds: 9, durationMs: 2_000, actors: 100_000, readShare: 0.8, jsWindow: 32 },
  contention: { clients: 100, rounds: 5, durationMs: 2_000 },
  changeStream: {
    events: 1_000_000,
    subscribers: [1, 8],
    pacedEvents: 5_000,
    pacedRounds: 5,
    catchUpRounds: 3,
    paceMicros: 200,
    replayBufferSize: 1 << 22,
  },
  memory: { actors: 1_000_000 },
  redis: { clients: 100, casDurationMs: 2_000, streamEvents: 200_000, pacedEvents: 5_000, roundTrips: 20_000 },
  persistence: { actors: 10_000, durationMs: 2_000, rounds: 5, reopenActors: [100_000, 1_000_000], reopenRounds: 3 },
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i + 1)
}

export function benchConfig(quick) {
  return quick ? QUICK : FULL
}
