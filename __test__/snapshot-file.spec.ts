// saveSnapshot / loadSnapshot: NDJSON snapshot files that move state between any two backends,
// written atomically, read back exactly, reporting progress; damaged files are refused clearly.
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type ActorStoreApi,
  InvalidArgumentError,
  loadSnapshot,
  type Snapshot,
  type SnapshotProgress,
  StorageError,
  saveSnapshot,
} from 'actor-store'
import test from 'ava'
import { bad } from './helpers/backends'
import { allEvents, Mirror, snapshotBackends, sorted, stateOf, tempDir } from './helpers/snapshots'
import { observe } from './helpers/stream'

/** Awkward keys and values: separators, prototype names, non-BMP and line-separator characters. */
function populate(store: ActorStoreApi): void {
  store.insert('a:b', 'c', { nested: { list: [1, 'two', null, true, { deep: [] }] } })
  store.insert('a', 'b:c', 'line\nbreak \u2028 \u2029 "quoted" \\ slash')
  store.insert('__proto__', '__proto__', JSON.parse('{"__proto__":1,"constructor":2}'))
  store.insert('ключ', '🙂', [1.5, -0, 1e21, 'é'])
  store.insert('t', 'empty', {})
  for (let i = 0; i < 3; i++) store.update('t', 'empty', { i })
}

for (const source of snapshotBackends) {
  for (const target of snapshotBackends) {
    test(`save from ${source.name}, load and restore into ${target.name}`, async (t) => {
      const dir = await tempDir(t)
      const { store: from } = await source.open(t)
      const { store: into } = await target.open(t)
      populate(from)
      const snapshot = from.createSnapshot()
      const path = join(dir, 'backup.ndjson')
      await saveSnapshot(snapshot, path)
      t.deepEqual(await readdir(dir), ['backup.ndjson'], 'no temporary file is left behind')
      const loaded = await loadSnapshot(path)
      t.deepEqual(loaded, snapshot)
      const sub = into.subscribe({ start: 'beginning' })
      t.teardown(() => sub.close())
      into.insert('t', 'empty', 'will be replaced')
      into.insert('other', 'x', 'will be removed')
      into.restoreSnapshot(loaded)
      t.deepEqual(stateOf(into), sorted(snapshot.actors))
      const mirror = new Mirror()
      for (const event of await allEvents(into)) mirror.apply(event)
      t.is(mirror.problem, undefined)
      t.deepEqual(mirror.state(), sorted(snapshot.actors))
    })
  }
}

function bigSnapshot(total: number): Snapshot {
  const actors = Array.from({ length: total }, (_, i) => ({
    actorType: `t${i % 3}`,
    id: `id-${i}`,
    value: { i },
    version: i % 5,
  }))
  return { format: 'actor-store-snapshot/1', sequence: total * 2, actors }
}

test('progress: write and read report increasing counts every 10,000 actors, ending at the total', async (t) => {
  const dir = await tempDir(t)
  const snapshot = bigSnapshot(25_000)
  const seen: SnapshotProgress[] = []
  const onProgress = (progress: SnapshotProgress) => seen.push(progress)
  await saveSnapshot(snapshot, join(dir, 's'), { onProgress })
  const loaded = await loadSnapshot(join(dir, 's'), { onProgress })
  t.deepEqual(loaded, snapshot)
  const expected = (phase: 'write' | 'read') => [10_000, 20_000, 25_000].map((done) => ({ phase, done, total: 25_000 }))
  t.deepEqual(seen, [...expected('write'), ...expected('read')])
  seen.length = 0
  await saveSnapshot(bigSnapshot(0), join(dir, 'empty'), { onProgress })
  t.deepEqual(await loadSnapshot(join(dir, 'empty'), { onProgress }), bigSnapshot(0))
  t.deepEqual(seen, [
    { phase: 'write', done: 0, total: 0 },
    { phase: 'read', done: 0, total: 0 },
  ])
})

test('the file is NDJSON: a header line, then one actor per line', async (t) => {
  const dir = await tempDir(t)
  await saveSnapshot(bigSnapshot(2), join(dir, 's'))
  const lines = (await readFile(join(dir, 's'), 'utf8')).split('\n')
  t.deepEqual(
    lines.map((line) => (line === '' ? '' : JSON.parse(line))),
    [
      { format: 'actor-store-snapshot/1', sequence: 4, count: 2 },
      { actorType: 't0', id: 'id-0', value: { i: 0 }, version: 0 },
      { actorType: 't1', id: 'id-1', value: { i: 1 }, version: 1 },
      '',
    ],
  )
})

test('saving replaces an existing file atomically; a bad snapshot leaves it untouched', async (t) => {
  const dir = await tempDir(t)
  const path = join(dir, 's')
  await saveSnapshot(bigSnapshot(3), path)
  await saveSnapshot(bigSnapshot(5), path)
  t.deepEqual(await loadSnapshot(path), bigSnapshot(5))
  const before = await readFile(path, 'utf8')
  const duplicate = bigSnapshot(2)
  duplicate.actors.push(duplicate.actors[0])
  for (const snapshot of [duplicate, { ...bigSnapshot(1), format: 'x' }, null, { ...bigSnapshot(1), sequence: -1 }]) {
    await t.throwsAsync(saveSnapshot(bad(snapshot), path), { instanceOf: InvalidArgumentError })
  }
  t.is(await readFile(path, 'utf8'), before)
  t.deepEqual(await readdir(dir), ['s'])
  await t.throwsAsync(saveSnapshot(bigSnapshot(1), join(dir, 'missing', 's')), { instanceOf: StorageError })
  await t.throwsAsync(saveSnapshot(bigSnapshot(1), ''), { instanceOf: InvalidArgumentError })
  await t.throwsAsync(saveSnapshot(bigSnapshot(1), path, bad({ onProgress: 1 })), { instanceOf: InvalidArgumentError })
  await t.throwsAsync(saveSnapshot(bigSnapshot(1), path, bad({ progress: () => {} })), {
    instanceOf: InvalidArgumentError,
  })
})

test('a damaged or foreign file throws InvalidArgumentError naming the file', async (t) => {
  const dir = await tempDir(t)
  const good = join(dir, 'good')
  await saveSnapshot(bigSnapshot(3), good)
  const text = await readFile(good, 'utf8')
  const lines = text.split('\n')
  const header = lines[0]
  const cases: [string, string | Buffer][] = [
    ['an empty file', ''],
    ['plain text', 'hello world\n'],
    ['a JSON document of another kind', '{"name":"actor-store","version":"0.1.0"}\n'],
    ['the createSnapshot JSON form', `${JSON.stringify(bigSnapshot(1))}\n`],
    ['a wrong format in the header', `${header.replace('snapshot/1', 'snapshot/9')}\n${lines.slice(1).join('\n')}`],
    ['a negative count', `${header.replace('"count":3', '"count":-3')}\n${lines.slice(1).join('\n')}`],
    ['a truncated file (missing lines)', `${lines.slice(0, 3).join('\n')}\n`],
    ['a truncated file (cut mid-line)', text.slice(0, text.length - 10)],
    ['a missing final newline', text.slice(0, -1)],
    ['more actors than announced', `${text}${lines[1]}\n`],
    ['a duplicate actor', `${header}\n${lines[1]}\n${lines[1]}\n${lines[2]}\n`],
    ['a line that is not JSON', `${header}\n${lines[1]}\n{oops}\n${lines[3]}\n`],
    ['a line with an extra key', `${header}\n${lines[1]}\n${lines[2].replace('{', '{"extra":1,')}\n${lines[3]}\n`],
    ['a bad version', `${header}\n${lines[1]}\n${lines[2].replace('"version":1', '"version":-1')}\n${lines[3]}\n`],
    ['an empty id', `${header}\n${lines[1]}\n${lines[2].replace('"id-1"', '""')}\n${lines[3]}\n`],
    ['invalid UTF-8', Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0xff, 0xfe, 0x0a])])],
    ['binary data', Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 37) % 256))],
    ['a first line too long to be a header', 'x'.repeat(100_000)],
  ]
  for (const [label, content] of cases) {
    const path = join(dir, `case-${cases.findIndex(([l]) => l === label)}`)
    await writeFile(path, content)
    const error = await t.throwsAsync(loadSnapshot(path), { instanceOf: InvalidArgumentError }, label)
    t.true(error?.message.includes(path), `${label}: the message names the file (${error?.message})`)
  }
  await t.throwsAsync(loadSnapshot(join(dir, 'does-not-exist')), { instanceOf: StorageError })
  await t.throwsAsync(loadSnapshot(dir), { instanceOf: StorageError }, 'a directory')
})

test('a snapshot loaded from a damaged file is never half-restored', async (t) => {
  const dir = await tempDir(t)
  const { store } = await snapshotBackends[0].open(t)
  store.insert('t', 'a', 1)
  const path = join(dir, 's')
  await saveSnapshot(bigSnapshot(10), path)
  const text = await readFile(path, 'utf8')
  await writeFile(path, text.slice(0, text.length - 30))
  const before = await observe(store, ['t', 't0', 't1', 't2'])
  await t.throwsAsync(async () => store.restoreSnapshot(await loadSnapshot(path)), { instanceOf: InvalidArgumentError })
  t.deepEqual(await observe(store, ['t', 't0', 't1', 't2']), before)
})
