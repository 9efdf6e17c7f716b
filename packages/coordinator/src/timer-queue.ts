// Keyed timers driven by an injected clock (Kafka's coordinator Timer: schedule(key) replaces the key's previous
// timer, cancel(key) drops it). A binary min-heap ordered by (deadline, scheduling order) with lazy deletion: a
// replaced or cancelled entry stays in the heap and is skipped when popped, so schedule and cancel are O(log n)
// and O(1). Entries fire in deadline order; ties fire in the order they were scheduled, which keeps runs
// deterministic. Owner: shard.

interface Entry {
  deadline: number;
  seq: number;
  key: string;
  fn: () => void;
}

export class TimerQueue {
  private heap: Entry[] = [];
  private live = new Map<string, Entry>();
  private seq = 0;

  /** Runs `fn` at the first poll at or after `deadline`, replacing any timer under `key`. */
  schedule(key: string, deadline: number, fn: () => void): void {
    const entry: Entry = { deadline, seq: this.seq++, key, fn };
    this.live.set(key, entry);
    this.push(entry);
    // Stale entries are dropped when popped; rebuild when they dominate so the heap stays O(live timers).
    if (this.heap.length > 64 && this.heap.length > 4 * this.live.size) this.compact();
  }

  cancel(key: string): void {
    this.live.delete(key);
  }

  has(key: string): boolean {
    return this.live.has(key);
  }

  get size(): number {
    return this.live.size;
  }

  /** The earliest live deadline, or null when nothing is scheduled. */
  nextDeadline(): number | null {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (this.live.get(top.key) === top) return top.deadline;
      this.pop();
    }
    return null;
  }

  /** Pops the earliest timer due at `nowMs` (removing it) and returns its function, or null. */
  popDue(nowMs: number): (() => void) | null {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (this.live.get(top.key) !== top) {
        this.pop();
        continue;
      }
      if (top.deadline > nowMs) return null;
      this.pop();
      this.live.delete(top.key);
      return top.fn;
    }
    return null;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  private compact(): void {
    const entries = [...this.live.values()];
    this.heap = [];
    for (const e of entries) this.push(e);
  }
}
