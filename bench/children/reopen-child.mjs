// Child process: time ActorStore.open(dir) on a store of `actors` actors written and closed by the
// parent, and print one JSON line: the open time, RSS growth, and whether every actor came back.
import { ActorStore } from 'actor-store'

const [dir, countText] = process.argv.slice(2)
const actors = Number(countText)
if (!dir || !Number.isInteger(actors)) throw new Error('usage: node reopen-child.mjs DIR ACTORS')

const rssBefore = process.memoryUsage().rss
const started = performance.now()
const store = ActorStore.open(dir)
const openMs = performance.now() - started
const rssDeltaBytes = process.memoryUsage().rss - rssBefore
const ok = store.getAll('actor').length === actors
store.close()
process.stdout.write(`${JSON.stringify({ actors, openMs, rssDeltaBytes, ok })}\n`)
