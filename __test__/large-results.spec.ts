// Results too large for one JS string cross the native boundary in slices: getAll and
// snapshots of more than 64 MB come back whole and exact.
import test from 'ava'
import { eachBackend } from './helpers/backends'

const ACTORS = 70
const VALUE = 'v'.repeat(1 << 20) // 1 MiB each: 70 MiB of JSON in all

eachBackend(({ create }, title) => {
  test(title('getAll and snapshots larger than 64 MB come back whole'), (t) => {
    const store = create()
    const copy = create()
    t.teardown(() => {
      store.close()
      copy.close()
    })
    for (let n = 0; n < ACTORS; n++) store.insert('big', `a${n}`, { n, text: VALUE })
    const all = store.getAll<{ n: number; text: string }>('big')
    t.is(all.length, ACTORS)
    t.deepEqual(
      all.map((actor) => actor.value.n).sort((a, b) => a - b),
      [...Array(ACTORS).keys()],
    )
    t.true(all.every((actor) => actor.value.text === VALUE && actor.id === `a${actor.value.n}`))
    const snapshot = store.createSnapshot()
    t.is(snapshot.actors.length, ACTORS)
    copy.restoreSnapshot(snapshot)
    t.is(copy.getAll('big').length, ACTORS)
    t.deepEqual(copy.get('big', 'a7'), { id: 'a7', value: { n: 7, text: VALUE }, version: 0 })
  })
})
