// Persistent stores for the benchmarks: ActorStore.open in a fresh directory on the machine's disk
// (not tmpfs: durability modes differ only where an fsync costs something), removed on close.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ActorStore } from 'actor-store'

/** A fresh directory on the disk that holds os.tmpdir(). */
export function diskScratchDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), `actor-store-bench-${prefix}-`))
}

/**
 * `ActorStore.open` on a new directory. `close()` closes the store and removes the directory,
 * unless `keep` (then the caller removes `root`).
 */
export function persistentStore(prefix, options, { keep = false } = {}) {
  const root = diskScratchDir(prefix)
  const dir = path.join(root, 'store')
  const store = ActorStore.open(dir, options)
  const closeStore = store.close.bind(store) // callers may put `close` below on the store itself
  return {
    store,
    dir,
    root,
    close() {
      closeStore()
      if (!keep) rmSync(root, { recursive: true, force: true })
    },
  }
}

/** Where the persistent benchmarks write: the directory and the file system holding it. */
export function describeDisk() {
  const dir = os.tmpdir()
  let fileSystem = 'unknown'
  try {
    // The longest mount point that contains dir (Linux).
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, mount]) => mount && (dir === mount || dir.startsWith(mount === '/' ? '/' : `${mount}/`)))
      .sort((a, b) => b[1].length - a[1].length)
    if (mounts[0]) fileSystem = `${mounts[0][2]} (${mounts[0][0]} on ${mounts[0][1]})`
  } catch {
    // Not Linux: the directory alone is reported.
  }
  return { dir, fileSystem }
}
