// Directories ActorStore.open must refuse with a typed error, without crashing and without
// overwriting anything: a file, another program's files, a damaged store, an unwritable place.
// Damaged stores are opened in a child process, so a crash shows up as a signal, not a dead runner.
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ActorStore, ActorStoreError, StorageError, StoreCorruptedError } from 'actor-store'
import test, { type ExecutionContext } from 'ava'
import { hasBackend } from './helpers/backends'
import { openStore, probeOnce, startProbe, tempDir, treeOf } from './helpers/persistent'

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip
const DAMAGED = ['STORE_CORRUPTED', 'STORAGE_ERROR']
// RocksDB's own diagnostics and lock file, which an open attempt may (re)create.
const diagnostics = (name: string) => name === 'LOCK' || name === 'LOG' || name.startsWith('LOG.old')

persistentTest('a path that is a file → StorageError, and the file is untouched', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'a-file')
  writeFileSync(file, 'precious data')
  const before = treeOf(dir)
  for (const path of [file, `${file}/`, join(file, 'inside')]) {
    const error = t.throws(() => ActorStore.open(path), { instanceOf: StorageError }, path)
    t.is(error?.code, 'STORAGE_ERROR', path)
  }
  t.deepEqual(treeOf(dir), before, 'nothing changed')
})

persistentTest("a directory of another program's files → StoreCorruptedError, nothing written", (t) => {
  const dir = tempDir(t)
  const layouts: Record<string, Record<string, string>> = {
    photos: { 'cat.jpg': 'meow', 'album/dog.jpg': 'woof', '.hidden': 'x' },
    'only-a-subdirectory': { 'sub/file': '' },
    'a web project': { 'README.md': '# hi', 'index.html': '<html></html>', 'data.sqlite': 'SQLite format 3\0' },
  }
  for (const [name, files] of Object.entries(layouts)) {
    const path = join(dir, name)
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(path, file, '..'), { recursive: true })
      writeFileSync(join(path, file), content)
    }
    const before = treeOf(path)
    const error = t.throws(() => ActorStore.open(path), { instanceOf: StoreCorruptedError }, name)
    t.is(error?.code, 'STORE_CORRUPTED', name)
    t.deepEqual(treeOf(path), before, `${name}: every file as it was, and no new file`)
  }
})

persistentTest(
  "a directory whose CURRENT is another program's file → a typed error; its files untouched",
  async (t) => {
    const path = join(tempDir(t), 'foreign')
    mkdirSync(path)
    writeFileSync(join(path, 'CURRENT'), 'the current chapter of my novel\n')
    writeFileSync(join(path, 'chapter-1.txt'), 'It was a dark and stormy night.')
    const before = treeOf(path)
    const report = await probeOnce(t, path, {})
    t.like(report, { ok: false, actorStoreError: true })
    t.true(DAMAGED.includes(report.code ?? ''), `code ${report.code}: ${report.message}`)
    const after = treeOf(path)
    for (const file of Object.keys(before)) t.is(after[file], before[file], `${file} is untouched`)
    const added = Object.keys(after).filter((file) => !(file in before))
    if (added.length > 0) t.log(`files the open attempt added: ${added.join(', ')}`)
  },
)

/** A closed store with a few actors, whose files are then damaged by `damage`. */
function damagedStore(t: ExecutionContext, label: string, damage: (path: string, files: string[]) => void): string {
  const path = join(tempDir(t), label.replace(/\W+/g, '-'))
  const store = openStore(t, path)
  for (let i = 0; i < 20; i++) store.insert('probe', `k${i}`, { i })
  store.update('probe', 'k0', 'changed')
  store.close()
  damage(path, readdirSync(path))
  return path
}

const garbage = Buffer.from('\x00garbage\xff not a RocksDB file \x01\x02\x03', 'latin1')
const overwrite = (predicate: (name: string) => boolean) => (path: string, files: string[]) => {
  for (const file of files.filter(predicate)) writeFileSync(join(path, file), garbage)
}
const isManifest = (name: string) => name.startsWith('MANIFEST')
const isWal = (name: string) => name.endsWith('.log')
function flipMiddle(path: string, files: string[]): void {
  for (const file of files) {
    const bytes = readFileSync(join(path, file))
    bytes[bytes.length >> 1] ^= 0xff
    writeFileSync(join(path, file), bytes)
  }
}
function zero(path: string, files: string[]): void {
  for (const file of files) writeFileSync(join(path, file), Buffer.alloc(readFileSync(join(path, file)).length))
}

const DAMAGES: [string, (path: string, files: string[]) => void][] = [
  ['CURRENT and MANIFEST overwritten with garbage', overwrite((name) => name === 'CURRENT' || isManifest(name))],
  ['CURRENT overwritten with garbage', overwrite((name) => name === 'CURRENT')],
  ['MANIFEST overwritten with garbage', overwrite(isManifest)],
  ['CURRENT empty', (path) => writeFileSync(join(path, 'CURRENT'), '')],
  ['CURRENT naming a missing MANIFEST', (path) => writeFileSync(join(path, 'CURRENT'), 'MANIFEST-999999\n')],
  [
    'MANIFEST truncated to nothing',
    (path, files) => {
      for (const file of files.filter(isManifest)) writeFileSync(join(path, file), '')
    },
  ],
  ['OPTIONS files overwritten with garbage', overwrite((name) => name.startsWith('OPTIONS'))],
  ['a byte flipped in the middle of the write-ahead log', (path, files) => flipMiddle(path, files.filter(isWal))],
  ['the write-ahead log zeroed', (path, files) => zero(path, files.filter(isWal))],
]

for (const [label, damage] of DAMAGES) {
  persistentTest(`a damaged store (${label}) → a typed error, no crash, files untouched`, async (t) => {
    const path = damagedStore(t, label, damage)
    const before = treeOf(path, diagnostics)
    const report = await probeOnce(t, path, {})
    if (report.ok) {
      // Damage RocksDB can read around is fine, as long as no write is silently lost.
      t.log(`opened despite the damage: currentSequence ${report.currentSequence}`)
      t.is(report.actors?.probe.length, 20, 'opened: then every actor is there')
      t.is(report.currentSequence, 21, 'opened: then every event is there')
      return
    }
    t.true(report.actorStoreError, `an ActorStoreError, not ${report.name}: ${report.message}`)
    t.true(DAMAGED.includes(report.code ?? ''), `code ${report.code}: ${report.message}`)
    t.deepEqual(treeOf(path, diagnostics), before, 'no data file was changed, added or removed')
  })
}

persistentTest('a damaged store refused in this process leaves the process and other stores working', (t) => {
  const path = damagedStore(t, 'in-process', DAMAGES[0][1])
  for (let attempt = 0; attempt < 3; attempt++) {
    const error = t.throws(() => ActorStore.open(path))
    t.true(error instanceof ActorStoreError, `attempt ${attempt}: ${error?.name}: ${error?.message}`)
    t.true(error instanceof StoreCorruptedError || error instanceof StorageError, `attempt ${attempt}`)
  }
  const healthy = openStore(t, join(tempDir(t), 'healthy'))
  t.is(healthy.insert('t', 'a', 1).version, 0)
})

// Root ignores permission bits, so as root the unwritable cases run in a child process as
// 'nobody' when that is possible; otherwise the test logs why it cannot check them.
const NOBODY = 65534
const isRoot = process.getuid?.() === 0

persistentTest('an unwritable directory → StorageError, nothing written', async (t) => {
  const dir = tempDir(t)
  chmodSync(dir, 0o755)
  const readOnlyParent = join(dir, 'read-only-parent')
  mkdirSync(readOnlyParent)
  const readOnlyStore = join(dir, 'read-only-store')
  const store = openStore(t, readOnlyStore)
  store.insert('probe', 'a', 1)
  store.close()
  const writable = join(dir, 'writable')
  mkdirSync(writable)
  if (isRoot) {
    for (const path of [readOnlyParent, readOnlyStore, writable]) {
      chownSync(path, NOBODY, NOBODY)
      for (const file of path === readOnlyStore ? readdirSync(path) : []) chownSync(join(path, file), NOBODY, NOBODY)
    }
  }
  chmodSync(readOnlyParent, 0o500)
  chmodSync(readOnlyStore, 0o500)
  t.teardown(() => {
    chmodSync(readOnlyParent, 0o700)
    chmodSync(readOnlyStore, 0o700)
  })
  const as = isRoot ? { uid: NOBODY, gid: NOBODY } : {}
  if (isRoot) {
    // Can this user run the fixture and write at all? If not, there is nothing to check here.
    const sanity = startProbe(t, join(writable, 'store'), {}, as)
    sanity.release()
    const report = await sanity.next().catch((error: Error) => error)
    const exit = await sanity.exited.catch((error: Error) => error)
    if (report instanceof Error || !report.ok || exit instanceof Error || exit.code !== 0) {
      t.log("skipped: running as root, and a child process as 'nobody' could not open a writable store")
      t.log(report instanceof Error ? report.message : JSON.stringify(report))
      t.pass()
      return
    }
    t.log("running as root: the unwritable cases run in a child process as 'nobody'")
  }
  const fresh = await probeOnce(t, join(readOnlyParent, 'store'), {}, as)
  t.like(fresh, { ok: false, actorStoreError: true, code: 'STORAGE_ERROR' }, fresh.message)
  t.deepEqual(readdirSync(readOnlyParent), [], 'nothing was created in the read-only parent')

  const before = treeOf(readOnlyStore)
  const existing = await probeOnce(t, readOnlyStore, {}, as)
  t.like(existing, { ok: false, actorStoreError: true, code: 'STORAGE_ERROR' }, existing.message)
  t.deepEqual(treeOf(readOnlyStore), before, 'the read-only store is untouched')
})
