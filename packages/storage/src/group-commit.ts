// Group commit for a shard loop: "appended" and "durable" are separate events (Redpanda's lesson). The loop appends
// everything it drained, registers a waiter per acknowledgement that needs durability, then runs one turn: one
// fdatasync per dirty partition log that has waiters or whose flush.messages / flush.ms came due, all issued at once
// (FileOps.fdatasyncAll), after which every waiter whose offset is now durable completes (or every waiter of a log whose fdatasync failed fails with
// KAFKA_STORAGE_ERROR: nothing that may not be on disk is acknowledged).
//
//   const r = log.append(batch);                       // offsets now; bytes in the page cache
//   if (r.errorCode === 'NONE') commits.waitFor(log, r.lastOffset, (err) => reply(err ?? r));
//   ...
//   commits.turn(now);                                 // after draining the ring: fdatasyncs, then callbacks
//
// With `ackBeforeFsync` a waiter completes at once (the explicit opt-in); its data is flushed by policy only.
// Owner: shard.
import type { BackgroundSync } from './file-ops.ts';
import type { FlushTicket, PartitionLog } from './partition-log.ts';
import type { StorageError } from './storage-error.ts';

export type DurableCallback = (error: StorageError | null) => void;

interface Flush {
  log: PartitionLog;
  ticket: FlushTicket;
}

function begin(log: PartitionLog, nowMs: number, into: Flush[]): void {
  const ticket = log.dirty ? log.beginFlush(nowMs) : null;
  if (ticket !== null) into.push({ log, ticket });
}

function end(flushes: readonly Flush[], outcomes: Array<Error | null>, failed: Map<PartitionLog, StorageError>): void {
  for (let i = 0; i < flushes.length; i++) {
    const err = flushes[i].log.endFlush(flushes[i].ticket, outcomes[i]);
    if (err !== null) failed.set(flushes[i].log, err);
  }
}

interface Waiter {
  offset: number;
  done: DurableCallback;
}

export class GroupCommit {
  private readonly waiting = new Map<PartitionLog, Waiter[]>();
  private readonly logs: () => Iterable<PartitionLog>;
  /** The background flush in progress (at most one): its tickets and the sync to poll. */
  private background: { flushes: Flush[]; sync: BackgroundSync } | null = null;

  private readonly backgroundPolicyFlushes: boolean;

  /**
   * `logs` lists every log whose flush policy should be checked each turn. With `backgroundPolicyFlushes` (a
   * shard's loop) flushes that nobody waits for run in the background; without it (tests, tools) every turn's
   * flushes are done when turn() returns.
   */
  constructor(logs: () => Iterable<PartitionLog>, o: { backgroundPolicyFlushes?: boolean } = {}) {
    this.logs = logs;
    this.backgroundPolicyFlushes = o.backgroundPolicyFlushes ?? false;
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

  /**
   * One turn. Logs with waiters are flushed now, all their fdatasyncs issued together (FileOps.fdatasyncAll: a turn
   * costs about one fdatasync, not one per dirty log). Logs whose flush.ms / flush.messages came due with nobody
   * waiting are flushed with them, or, with backgroundPolicyFlushes, in the background (FileOps.fdatasyncStart), one
   * batch at a time, so the loop keeps appending while the disk writes what a second of appends left in the page
   * cache; a later turn collects it.
   * Then every waiter whose offset is durable completes. Returns the number of fdatasyncs issued.
   */
  turn(nowMs: number = Date.now()): number {
    const failed = new Map<PartitionLog, StorageError>();
    if (this.background !== null) {
      const outcomes = this.background.sync.poll();
      if (outcomes !== null) this.endBackground(outcomes, failed);
    }
    const now: Flush[] = [];
    for (const log of this.waiting.keys()) begin(log, nowMs, now);
    // Policy flushes go with the waiters' now, or into the next background batch once the previous one is collected.
    const later: Flush[] = [];
    if (!this.backgroundPolicyFlushes || this.background === null) {
      const into = this.backgroundPolicyFlushes ? later : now;
      for (const log of this.logs()) if (!this.waiting.has(log) && log.flushDue(nowMs)) begin(log, nowMs, into);
    }
    end(now, syncTickets(now), failed);
    if (later.length > 0) this.background = { flushes: later, sync: startTickets(later) };
    this.complete(failed);
    return now.length + later.length;
  }

  /** Waits for the background flush, if any, and completes what it made durable (before logs are closed). */
  settle(): void {
    if (this.background === null) return;
    const failed = new Map<PartitionLog, StorageError>();
    this.endBackground(this.background.sync.wait(), failed);
    this.complete(failed);
  }

  private endBackground(outcomes: Array<Error | null>, failed: Map<PartitionLog, StorageError>): void {
    const flushes = this.background!.flushes;
    this.background = null;
    end(flushes, outcomes, failed);
  }

  private complete(failed: Map<PartitionLog, StorageError>): void {
    for (const [log, list] of this.waiting) {
      // After a failed fdatasync a later one may succeed without the lost pages (the kernel may have marked them
      // clean), so every waiter of the log present in that turn fails, even one a second sync seems to cover.
      const err = failed.get(log);
      if (err !== undefined) {
        this.waiting.delete(log);
        for (const w of list) w.done(err);
        continue;
      }
      const durable = log.durableOffset;
      let i = 0;
      while (i < list.length && list[i].offset < durable) i++;
      const ready = list.splice(0, i);
      if (list.length === 0) this.waiting.delete(log);
      for (const w of ready) w.done(null);
    }
  }

  /** Fails every waiter of `log` (the log is being closed or deleted). */
  failAll(log: PartitionLog, error: StorageError): void {
    const list = this.waiting.get(log) ?? [];
    this.waiting.delete(log);
    for (const w of list) w.done(error);
  }
}

/** The outcome of each flush's fdatasync, in order: one fdatasyncAll per FileOps (in practice there is one). */
function syncTickets(flushes: readonly Flush[]): Array<Error | null> {
  if (flushes.length === 0) return [];
  const ops = flushes[0].ticket.ops;
  if (flushes.every((f) => f.ticket.ops === ops)) return ops.fdatasyncAll(flushes.map((f) => f.ticket.fd));
  return flushes.map((f) => f.ticket.ops.fdatasyncAll([f.ticket.fd])[0]);
}

/** The background version: one fdatasyncStart when every flush shares one FileOps, else done one by one now. */
function startTickets(flushes: readonly Flush[]): BackgroundSync {
  const ops = flushes[0].ticket.ops;
  if (flushes.every((f) => f.ticket.ops === ops)) return ops.fdatasyncStart(flushes.map((f) => f.ticket.fd));
  const results = syncTickets(flushes);
  return { poll: () => results, wait: () => results };
}
