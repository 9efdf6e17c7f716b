// Group commit for a shard loop: "appended" and "durable" are separate events (Redpanda's lesson). The loop appends
// everything it drained, registers a waiter per acknowledgement that needs durability, then runs one turn: one
// fdatasync per dirty partition log that has waiters or whose flush.messages / flush.ms came due, after which
// every waiter whose offset is now durable completes (or every waiter of a log whose fdatasync failed fails with
// KAFKA_STORAGE_ERROR: nothing that may not be on disk is acknowledged).
//
//   const r = log.append(batch);                       // offsets now; bytes in the page cache
//   if (r.errorCode === 'NONE') commits.waitFor(log, r.lastOffset, (err) => reply(err ?? r));
//   ...
//   commits.turn(now);                                 // after draining the ring: fdatasyncs, then callbacks
//
// With `ackBeforeFsync` a waiter completes at once (the explicit opt-in); its data is flushed by policy only.
// Owner: shard.
import type { PartitionLog } from './partition-log.ts';
import type { StorageError } from './storage-error.ts';

export type DurableCallback = (error: StorageError | null) => void;

interface Waiter {
  offset: number;
  done: DurableCallback;
}

export class GroupCommit {
  private readonly waiting = new Map<PartitionLog, Waiter[]>();
  private readonly logs: () => Iterable<PartitionLog>;

  /** `logs` lists every log whose flush policy should be checked each turn. */
  constructor(logs: () => Iterable<PartitionLog>) {
    this.logs = logs;
  }

  /** Calls `done` once every offset up to and including `offset` of `log` is durable (or the flush failed). */
  waitFor(log: PartitionLog, offset: number, done: DurableCallback): void {
    if (log.config.ackBeforeFsync || offset < log.durableOffset) {
      done(null);
      return;
    }
    let list = this.waiting.get(log);
    if (list === undefined) {
      list = [];
      this.waiting.set(log, list);
    }
    list.push({ offset, done });
  }

  /** Waiters not completed yet (metrics, tests). */
  get pending(): number {
    let n = 0;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }

  /** One turn: flush the logs that need it, then complete their waiters. Returns the number of fdatasyncs issued. */
  turn(nowMs: number = Date.now()): number {
    let flushes = 0;
    const failed = new Map<PartitionLog, StorageError>();
    const flushOne = (log: PartitionLog) => {
      if (!log.dirty) return;
      const err = log.flush(nowMs);
      flushes++;
      if (err !== null) failed.set(log, err);
    };
    for (const log of this.waiting.keys()) flushOne(log);
    for (const log of this.logs()) if (!this.waiting.has(log) && log.flushDue(nowMs)) flushOne(log);
    for (const [log, list] of this.waiting) {
      const err = failed.get(log);
      const durable = log.durableOffset;
      let i = 0;
      while (i < list.length && list[i].offset < durable) i++;
      const ready = list.splice(0, i);
      const lost = err ? list.splice(0, list.length) : [];
      if (list.length === 0) this.waiting.delete(log);
      for (const w of ready) w.done(null);
      for (const w of lost) w.done(err ?? null);
    }
    return flushes;
  }

  /** Fails every waiter of `log` (the log is being closed or deleted). */
  failAll(log: PartitionLog, error: StorageError): void {
    const list = this.waiting.get(log) ?? [];
    this.waiting.delete(log);
    for (const w of list) w.done(error);
  }
}
