// Signals between the two ends of a ring: waking a sleeper and waiting without blocking. The protocol (flag slot,
// compareExchange 1 -> 0, notify) is described in layout.ts.
//
// Node does not count a pending Atomics.waitAsync as pending work: a worker whose only pending work is that wait
// exits, and so does a main thread. waitOn therefore holds a ref'd timer of the same bound for the duration of the
// wait (one timer per idle period, not per entry) and clears it when the wait ends.

const noop = (): void => {};

/** Wakes the other end if it sleeps on `flagSlot`: clears the flag and notifies, only when it was set. */
export function wake(slots: Int32Array, flagSlot: number): void {
  if (Atomics.compareExchange(slots, flagSlot, 1, 0) === 1) Atomics.notify(slots, flagSlot, 1);
}

/**
 * Waits without blocking until `slots[flagSlot]` is woken or is no longer 1, or `timeoutMs` passed. Returns
 * undefined when there is nothing to wait for (the flag was already cleared).
 */
export function waitOn(slots: Int32Array, flagSlot: number, timeoutMs: number): Promise<void> | undefined {
  const result = Atomics.waitAsync(slots, flagSlot, 1, timeoutMs);
  if (!result.async) return undefined;
  const keepAlive = setTimeout(noop, Number.isFinite(timeoutMs) ? timeoutMs + 1 : 2 ** 31 - 1);
  return result.value.then(() => clearTimeout(keepAlive));
}
