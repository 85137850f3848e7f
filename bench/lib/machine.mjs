// What the numbers were measured on; a ratio means little without the machine beside it.
import { readFileSync } from 'node:fs'
import os from 'node:os'

function loadAverage() {
  return os.loadavg().map((load) => Math.round(load * 100) / 100)
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version
  } catch {
    return undefined
  }
}

export function describeMachine() {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    lmdb: packageVersion('lmdb'),
    ioredis: packageVersion('ioredis'),
    date: new Date().toISOString(),
    loadAverageAtStart: loadAverage(),
  }
}

/** The 1-minute load average when a run ends: above the core count, other work competed for the CPU. */
export function loadAverageNow() {
  return loadAverage()
}
