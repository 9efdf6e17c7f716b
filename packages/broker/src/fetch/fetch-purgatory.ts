// Long polls (Kafka's DelayedFetch): a Fetch that found fewer than minBytes parks here until one of its partitions'
// highWatermark moves past the offset it waits at, or maxWaitMs passes, or the broker stops. Waking re-runs the
// fetch, which answers with whatever is there then. Partition moves come from PartitionStates.
// Owner: main thread.
import type { PartitionStates } from '../metadata/partition-states.ts';

interface Waiter {
  /** Partition handle -> the fetch offset it waits beyond. */
  readonly offsets: ReadonlyMap<number, number>;
  readonly resolve: () => void;
  timer: NodeJS.Timeout;
}

export class FetchPurgatory {
  private readonly byPartition = new Map<number, Set<Waiter>>();
  private readonly parked = new Set<Waiter>();
  private readonly states: PartitionStates;
  private closed = false;

  /** True once the broker stops: fetches answer with what they have instead of waiting. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Fetches parked now (metrics: Kafka's PurgatorySize of the Fetch purgatory). */
  get parkedCount(): number {
    return this.parked.size;
  }

  constructor(states: PartitionStates) {
    this.states = states;
    states.onUpdate((handle) => this.partitionMoved(handle));
  }

  /** Resolves when a partition in `offsets` has data beyond its offset, after timeoutMs, or at close. */
  wait(offsets: ReadonlyMap<number, number>, timeoutMs: number): Promise<void> {
    if (this.closed || timeoutMs <= 0 || offsets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = { offsets, resolve: () => this.finish(waiter, resolve), timer: undefined as never };
      waiter.timer = setTimeout(waiter.resolve, timeoutMs);
      this.parked.add(waiter);
      for (const handle of offsets.keys()) {
        let set = this.byPartition.get(handle);
        if (set === undefined) {
          set = new Set();
          this.byPartition.set(handle, set);
        }
        set.add(waiter);
      }
    });
  }

  private finish(waiter: Waiter, resolve: () => void): void {
    clearTimeout(waiter.timer);
    this.parked.delete(waiter);
    for (const handle of waiter.offsets.keys()) {
      const set = this.byPartition.get(handle);
      set?.delete(waiter);
      if (set?.size === 0) this.byPartition.delete(handle);
    }
    resolve();
  }

  private partitionMoved(handle: number): void {
    const set = this.byPartition.get(handle);
    if (set === undefined) return;
    const hw = this.states.get(handle)?.highWatermark ?? -1;
    for (const w of [...set]) {
      const offset = w.offsets.get(handle) ?? Number.MAX_SAFE_INTEGER;
      if (hw > offset || hw < 0) w.resolve();
    }
  }

  /** Wakes a waiter on this partition regardless of offsets (topic deleted). */
  wakePartition(handle: number): void {
    for (const w of [...(this.byPartition.get(handle) ?? [])]) w.resolve();
  }

  /** Answers every long poll now (shutdown: in-flight requests get their response). */
  close(): void {
    this.closed = true;
    for (const set of [...this.byPartition.values()]) for (const w of [...set]) w.resolve();
  }
}
