// Change stream: events per second delivered to 1 and to 8 `for await` subscribers (all on the
// main thread) while a writer thread updates flat out; the catch-up rate of one subscriber
// replaying the same events from the ring afterwards (delivery alone, no writer competing); and
// commit-to-delivery latency: arrival time in the subscriber's loop body minus the wall-clock
// stamp the writer took just before its update call (so it includes the update call itself).
import { ActorStore, SubscriptionLaggedError } from 'actor-store'
import { step } from '../lib/progress.mjs'
import { joinSamples, median, percentile, wallNow } from '../lib/stats.mjs'
import { actorIds } from '../lib/values.mjs'
import { BenchWorker, StartGate, startAll, stopAll } from '../lib/workers.mjs'

const ACTORS = 1_000

// The per-event work is kept tiny (a stamp, a subtraction, a counter): it is what is measured.
async function consume(subscription, expected, latencies, progress = { count: 0 }) {
  let last = Number.NaN
  let lagged = false
  try {
    for await (const event of subscription) {
      last = wallNow()
      if (latencies) latencies[progress.count] = last - event.newValue.t
      if (++progress.count === expected) break
    }
    progress.done = true
  } catch (error) {
    if (!(error instanceof SubscriptionLaggedError)) throw error
    lagged = true
  }
  return { count: progress.count, last, lagged, stalled: progress.stalled === true }
}

// A subscriber that stops receiving while committed events wait for it (a lost wake-up) would
// otherwise leave the process with nothing to run: Node would exit mid-suite (code 13). The
// watchdog keeps the event loop alive, and closes such a subscription after STALL_MS without
// progress, so the run finishes and the report shows the stall instead of a number.
const STALL_MS = 3_000

function watchdog(store, firstSequence, subscriptions, progress) {
  const seen = progress.map(() => ({ count: -1, since: performance.now() }))
  const timer = setInterval(() => {
    const committed = store.cdcStats().currentSequence - firstSequence
    progress.forEach((p, i) => {
      if (p.count !== seen[i].count || p.done) {
        seen[i] = { count: p.count, since: performance.now() }
      } else if (committed > p.count && performance.now() - seen[i].since > STALL_MS) {
        p.stalled = true
        step(`change stream: subscriber ${i + 1} stalled at ${p.count} of ${committed} committed events; closing it`)
        subscriptions[i].close()
      }
    })
  }, 250)
  return () => clearInterval(timer)
}

/** One subscriber replaying `events` events from the first one: { perSec, stalled }. */
async function catchUp(store, firstSequence, events) {
  const replay = store.subscribe({ start: { afterSequence: firstSequence - 1 }, actorType: 'stream' })
  const started = wallNow()
  const progress = { count: 0 }
  const stopWatchdog = watchdog(store, firstSequence, [replay], [progress])
  try {
    const result = await consume(replay, events, undefined, progress)
    return { stalled: result.stalled, perSec: (result.count * 1000) / (result.last - started) }
  } finally {
    stopWatchdog()
    replay.close()
  }
}

function latencySummary(ms) {
  return { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: percentile(ms, 100) }
}

async function runOnce(settings, { subscribers, mode, events }) {
  const name = `bench-stream-${process.pid}-${mode}-${subscribers}`
  const store = new ActorStore({ name, replayBufferSize: settings.replayBufferSize })
  for (const id of actorIds(ACTORS)) store.insert('stream', id, { t: 0, n: -1 })
  const firstSequence = store.cdcStats().currentSequence
  const subscriptions = Array.from({ length: subscribers }, () => store.subscribe({ actorType: 'stream' }))
  const latencies = subscriptions.map(() => new Float64Array(events))
  const gate = new StartGate()
  const writer = new BenchWorker('stream-writer.mjs', {
    name,
    replayBufferSize: settings.replayBufferSize,
    actors: ACTORS,
    events,
    mode,
    paceMicros: settings.paceMicros,
    gate: gate.buffer,
  })
  const progress = subscriptions.map(() => ({ count: 0 }))
  const stopWatchdog = watchdog(store, firstSequence, subscriptions, progress)
  try {
    const consumers = subscriptions.map((subscription, i) => consume(subscription, events, latencies[i], progress[i]))
    await startAll([writer], gate)
    const [done, ...results] = await Promise.all([writer.message('done'), ...consumers])
    const writerPerSec = (events * 1000) / (done.ended - done.started)
    // A stalled subscriber has no rate: it is reported apart (row.stalled), not averaged in.
    const delivered = results.map((r) => ({
      ...r,
      perSec: r.stalled ? Number.NaN : (r.count * 1000) / (r.last - done.started),
    }))
    const rates = delivered.map((d) => d.perSec).filter(Number.isFinite)
    const row = {
      mode,
      subscribers,
      events,
      writerEventsPerSec: writerPerSec,
      perSubscriberEventsPerSec: rates.length > 0 ? Math.min(...rates) : Number.NaN,
      totalDeliveredPerSec: rates.reduce((sum, rate) => sum + rate, 0),
      lagged: delivered.some((d) => d.lagged),
      stalled: delivered.filter((d) => d.stalled).map((d) => d.count),
      latency: latencySummary(
        joinSamples(
          latencies,
          delivered.map((d) => d.count),
        ),
      ),
    }
    if (mode === 'flat' && subscribers === 1) {
      // Catch-up: replay the same events from the ring with nobody writing, a few times (one
      // replay is a few seconds of a shared machine); the median replay is reported.
      const replays = []
      for (let round = 0; round < settings.catchUpRounds; round++) {
        step(`change stream: catch-up replay of ${events} events, round ${round + 1}/${settings.catchUpRounds}`)
        replays.push(await catchUp(store, firstSequence, events))
      }
      row.catchUpStalled = replays.some((r) => r.stalled)
      row.catchUpRounds = replays.map((r) => Math.round(r.perSec))
      row.catchUpEventsPerSec = row.catchUpStalled ? Number.NaN : median(replays.map((r) => r.perSec))
    }
    return row
  } finally {
    stopWatchdog()
    for (const subscription of subscriptions) subscription.close()
    await stopAll([writer])
    store.close()
  }
}

export async function runChangeStream(config) {
  const settings = config.changeStream
  const rows = []
  for (const subscribers of settings.subscribers) {
    step(`change stream: ${settings.events} events flat out, ${subscribers} subscriber(s)`)
    rows.push(await runOnce(settings, { subscribers, mode: 'flat', events: settings.events }))
  }
  // Paced latency is repeated: a single scheduling hiccup of this shared machine moves a p99 of
  // a few thousand samples, so the row keeps the median round (and the worst p99 seen).
  const paced = []
  for (let round = 0; round < settings.pacedRounds; round++) {
    step(
      `change stream: latency, ${settings.pacedEvents} events paced ${settings.paceMicros} µs apart, 1 subscriber, round ${round + 1}/${settings.pacedRounds}`,
    )
    paced.push(await runOnce(settings, { subscribers: 1, mode: 'paced', events: settings.pacedEvents }))
  }
  paced.sort((a, b) => a.latency.p99Ms - b.latency.p99Ms)
  const middle = paced[paced.length >> 1]
  rows.push({
    ...middle,
    rounds: paced.length,
    worstP99Ms: paced.at(-1).latency.p99Ms,
    p99Rounds: paced.map((r) => r.latency.p99Ms),
  })
  return { ...settings, actors: ACTORS, rows }
}
