// Native subscriptions wait with a weak callback, so an idle one lets the process exit. But the
// core publishes a committed change a moment after the write returns; until a waiting
// subscription on this thread has been woken for it, a ref'd timer keeps the event loop alive
// (bounded, so a subscription nobody wakes never pins the process).
const HOLD_MS = 1000

let waiting = 0
let timer: NodeJS.Timeout | undefined

function hold(): void {
  timer ??= setTimeout(release, HOLD_MS)
}

function release(): void {
  if (timer !== undefined) clearTimeout(timer)
  timer = undefined
}

/** A subscription on this thread started waiting; `inFlight`: changes are already on their way to it. */
export function waitStarted(inFlight: boolean): void {
  waiting++
  if (inFlight) hold()
}

/** A waiting subscription was woken (every waiter of a store wakes on each publish). */
export function waitEnded(): void {
  waiting--
  release()
}

/** This thread committed a change: a waiting subscription will want to be woken for it. */
export function changeCommitted(): void {
  if (waiting > 0) hold()
}
