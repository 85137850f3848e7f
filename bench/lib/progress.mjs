// Progress display: one line per step on stderr (stdout stays free for anything piped), with the
// time elapsed since the run started.
const started = performance.now()

function clock() {
  const seconds = Math.round((performance.now() - started) / 1000)
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

export function step(message) {
  process.stderr.write(`[bench ${clock()}] ${message}\n`)
}

/** Elapsed run time in seconds. */
export function elapsedSeconds() {
  return (performance.now() - started) / 1000
}
