// Child process (run with --expose-gc): fill one backend with `actors` small actors and print,
// as one JSON line on stdout, RSS and V8 heap before and after, each after full collections.
// A process of its own per backend, so one backend's freed memory never counts for another.
import { ActorStore, JsActorStore } from 'actor-store'

const [backend, countText] = process.argv.slice(2)
const actors = Number(countText)
const Store = { native: ActorStore, js: JsActorStore }[backend]
if (Store === undefined || !globalThis.gc) throw new Error('usage: node --expose-gc memory-child.mjs native|js COUNT')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function settle() {
  // Several passes with pauses: weak callbacks, finalizers and the change-stream processor
  // (which serializes events for the replay ring on its own thread) get to finish first.
  for (let i = 0; i < 4; i++) {
    globalThis.gc()
    await sleep(50)
  }
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapTotal, heapUsed, external, arrayBuffers }
}

const store = new Store()
const before = await settle()
const started = performance.now()
for (let i = 0; i < actors; i++) {
  store.insert('user', `user:${String(i).padStart(7, '0')}`, {
    name: `user-${i}`,
    age: 20 + (i % 50),
    active: i % 2 === 0,
    tags: ['a', 'b'],
  })
}
const insertMs = performance.now() - started
const after = await settle()
const check = store.get('user', 'user:0000000')
process.stdout.write(
  `${JSON.stringify({ backend, actors, insertMs, before, after, stats: store.cdcStats(), ok: check?.version === 0 })}\n`,
)
store.close()
