// Real crashes: a child process writes in a loop and reports every acknowledged write; we kill -9
// it at a random moment, reopen the directory, and check that no acknowledged write is missing and
// that data and change log agree. Then the next round runs on the same directory. A last test
// kills the child while it is still creating a new store: the directory must open afterwards.
//   ACTOR_STORE_CRASH_ROUNDS=200 npx ava __test__/crash.spec.ts   (default 8; 'sync' runs a quarter)
//   ACTOR_STORE_CRASH_SEED=1234 repeats a run (the seed is logged).
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { ActorStore } from 'actor-store'
import test, { type ExecutionContext } from 'ava'
import { hasBackend } from './helpers/backends'
import { crashRound, type KillAt, type Round, seeded, verifyRounds } from './helpers/crash'
import { mirrorProblems, readLog, tempDir } from './helpers/persistent'
import { fixture } from './helpers/workers'

const persistentTest = hasBackend('ActorStore.open') ? test.serial : test.skip
const ROUNDS = Math.max(1, Number(process.env.ACTOR_STORE_CRASH_ROUNDS ?? 8) || 8)
const SEED = Number(process.env.ACTOR_STORE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const TYPES = ['a', 'b:c']

interface Plan {
  /** 'default': the child opens the store without options (durability 'process'). */
  durability: 'default' | 'sync'
  /** 'async': the child's writes are the …Async calls, several in flight (group commit). */
  writes: 'sync' | 'async'
  rounds: number
  /** Most acknowledged writes to wait for before the kill, and most ms for a timed kill. */
  maxAcks: number
  maxMs: number
}

async function crashTest(t: ExecutionContext, plan: Plan): Promise<void> {
  t.timeout(60_000 + plan.rounds * 30_000, 'crash rounds')
  const random = seeded(SEED + (plan.durability === 'sync' ? 1 : 0) + (plan.writes === 'async' ? 10 : 0))
  t.log(`seed ${SEED}, ${plan.rounds} rounds, durability '${plan.durability}', ${plan.writes} writes`)
  const path = tempDir(t, 'crash')
  const rounds: Round[] = []
  const began = Date.now()
  for (let index = 0; index < plan.rounds; index++) {
    // Mostly kill after a random number of acknowledged writes; sometimes after a random delay,
    // which can land while the child is still starting up or recovering. The first round always
    // lets the child create the store.
    const killAt: KillAt =
      index > 0 && random(4) === 0 ? { afterMs: random(plan.maxMs) } : { afterAcks: random(plan.maxAcks + 1) }
    const round = await crashRound(path, {
      durability: plan.durability,
      writes: plan.writes,
      round: index,
      seed: random(2 ** 31),
      maxWrites: plan.maxAcks * 3,
      killAt,
    })
    rounds.push(round)
    t.is(round.stderr, '', `round ${index}: the child wrote nothing to stderr`)

    let store: ActorStore
    try {
      store = ActorStore.open(path, plan.durability === 'sync' ? { durability: 'sync' } : undefined)
    } catch (error) {
      t.fail(`round ${index}: the store did not reopen after kill -9 (${JSON.stringify(killAt)}): ${error}`)
      return
    }
    try {
      if (round.start !== undefined) t.deepEqual(round.types, TYPES, 'the child writes the types checked here')
      const { problems } = await verifyRounds(store, rounds, TYPES)
      if (problems.length > 0) {
        t.fail(
          `round ${index} (killed: ${round.killed}, ${JSON.stringify(killAt)}, ${round.acks.length} acks): ` +
            problems.slice(0, 10).join('\n'),
        )
        return
      }
    } finally {
      store.close()
    }
  }
  const acks = rounds.reduce((sum, round) => sum + round.acks.length, 0)
  const killed = rounds.filter((round) => round.killed).length
  const early = rounds.filter((round) => round.start === undefined).length
  t.log(`${killed} of ${plan.rounds} rounds killed (${early} before opening), ${acks} acknowledged writes`)
  t.log(`${Date.now() - began} ms`)
  t.pass()
}

// More rounds write less each, so the log every round replays stays a few hundred thousand events.
const MAX_ACKS = Math.max(200, Math.min(3000, Math.floor(240_000 / ROUNDS)))

// One test per durability mode and calling style; 'sync' rounds are slower, so there are fewer.
const PLANS: [title: string, plan: Plan][] = [
  [
    "default durability ('process'): kill -9 at random moments loses no acknowledged write",
    { durability: 'default', writes: 'sync', rounds: ROUNDS, maxAcks: MAX_ACKS, maxMs: 400 },
  ],
  [
    "durability 'sync': kill -9 at random moments loses no acknowledged write",
    { durability: 'sync', writes: 'sync', rounds: Math.max(1, Math.floor(ROUNDS / 4)), maxAcks: 300, maxMs: 400 },
  ],
  [
    'async writes, group-committed: kill -9 at random moments loses no acknowledged write',
    {
      durability: 'default',
      writes: 'async',
      rounds: Math.max(1, Math.floor(ROUNDS / 2)),
      maxAcks: MAX_ACKS,
      maxMs: 400,
    },
  ],
  [
    "async writes with durability 'sync': kill -9 loses no acknowledged write",
    { durability: 'sync', writes: 'async', rounds: Math.max(1, Math.floor(ROUNDS / 4)), maxAcks: 600, maxMs: 400 },
  ],
]

for (const [title, plan] of PLANS) persistentTest(title, (t) => crashTest(t, plan))

persistentTest('kill -9 while a new store is being created leaves a directory that opens', async (t) => {
  const attempts = Math.max(4, Math.floor(ROUNDS * 1.5))
  const random = seeded(SEED + 2)
  const failures: string[] = []
  for (let attempt = 0; attempt < attempts; attempt++) {
    const path = tempDir(t, 'create')
    const killAt = { afterFiles: random(400) }
    const round = await crashRound(path, {
      durability: 'default',
      round: 0,
      seed: random(2 ** 31),
      maxWrites: 100,
      killAt,
    })
    const files = readdirSync(path).sort().join(', ')
    let store: ActorStore
    try {
      store = ActorStore.open(path)
    } catch (error) {
      failures.push(`attempt ${attempt} (${round.acks.length} acks, files: ${files}): ${error}`)
      continue
    }
    try {
      const { problems } = await verifyRounds(store, [round], TYPES)
      failures.push(...problems.map((problem) => `attempt ${attempt}: ${problem}`))
    } finally {
      store.close()
    }
  }
  t.deepEqual(failures, [], `${failures.length} of ${attempts} directories did not open cleanly`)
})

/** Runs restore-writer.mjs once; kills it `killAfterMs` after it starts restoring (or lets it finish). */
function restoreRound(
  path: string,
  actors: number,
  killAfterMs: number,
): Promise<{ restoring: boolean; done: boolean }> {
  const child = spawn(process.execPath, [fixture('restore-writer.mjs'), path, String(actors)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const seen = { restoring: false, done: false }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    if (chunk.includes('R') && !seen.restoring) {
      seen.restoring = true
      setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    }
    if (chunk.includes('D')) seen.done = true
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => resolve(seen))
  })
}

persistentTest('kill -9 during restoreSnapshot leaves all of the restore or none of it', async (t) => {
  const actors = 20_000
  const random = seeded(SEED + 3)
  const path = tempDir(t, 'restore-crash')
  const outcomes: string[] = []
  let before = 0 // every actor's version before the round's restore
  for (let round = 0; round < Math.max(4, Math.floor(ROUNDS / 2)); round++) {
    const seen = await restoreRound(path, actors, random(300))
    t.true(seen.restoring, `round ${round}: the child reached the restore`)
    const store = ActorStore.open(path)
    try {
      const all = store.getAll<{ s: string; i: number }>('t')
      t.is(all.length, actors, `round ${round}: every actor is there`)
      const states = new Set(all.map((actor) => actor.value.s))
      t.is(states.size, 1, `round ${round}: the state is one side of the restore, not a mix (${[...states]})`)
      const versions = new Set(all.map((actor) => actor.version))
      t.is(versions.size, 1, `round ${round}: every version moved on together`)
      const after = all[0].version
      t.true(after === before || after === before + 1, `round ${round}: version ${after} after ${before}`)
      if (seen.done) t.is(after, before + 1, `round ${round}: a finished restore is kept`)
      t.deepEqual(mirrorProblems(store, await readLog(store, 'beginning', 60_000), ['t']), [])
      outcomes.push(seen.done ? 'finished' : `killed, ${after === before + 1 ? 'all' : 'none'} of it kept`)
      before = after
    } finally {
      store.close()
    }
  }
  t.log(outcomes.join('; '))
})
