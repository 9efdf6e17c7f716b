// Hosting of coordinators on a shard (ARCHITECTURE.md §6): one coordinator state machine per partition of an internal
// topic (__consumer_offsets: group-coordinators.ts; __transaction_state: txn-coordinators.ts) that this shard owns.
//   open(handle, log)  the coordinator starts loading; every loop turn replays up to LOAD_BUDGET_BYTES of its log
//                      (storage read -> `replay` per batch), then completeLoad. While loading, `loading` is true (the
//                      shard must not sleep) and the coordinator answers COORDINATOR_LOAD_IN_PROGRESS itself.
//   write(handle, a)   a coordinator step's records become ONE record batch (origin 'coordinator') appended to the
//                      partition; onRecordsDurable(appendSeq) runs from the group commit once it is fdatasync'd, so
//                      responses that depend on the records leave only then.
//   turn(now)          loading slices, and tick() for every loaded coordinator whose nextDeadline has come.
// A failed append (or a failed fdatasync) retires the coordinator: it is ahead of its log, so a new one is rebuilt
// from the log, and everything waiting on the old one gets NOT_COORDINATOR from it (onAppendFailed / unload).
// Owner: shard. Never touched from the main thread.
import {
  batchSizeAt,
  buildRecordBatch,
  type DecodedRequest,
  decodeRequest,
  LOG_OVERHEAD,
  lastOffsetOf,
  type RecordBatchHeader,
  readBatchHeader,
} from '@sluice/protocol';
import type { GroupCommit, PartitionLog } from '@sluice/storage';

// 4 MiB replayed per loop turn (a few ms): a large partition loads over many turns while the shard keeps serving its
// other partitions.
const LOAD_BUDGET_BYTES = 4 * 1024 * 1024;
// A single node leads every partition in leader epoch 0 (see shard-worker.ts).
const LEADER_EPOCH = 0;

/** One coordinator step's records (GroupCoordinator's Append and TransactionCoordinator's TxnAppend both fit). */
export interface CoordinatorAppend {
  appendSeq: number;
  records: ReadonlyArray<{ key: Buffer; value: Buffer | null }>;
  /** The records form one transactional batch of this producer (TxnOffsetCommit). */
  producerId?: bigint;
  producerEpoch?: number;
}

/** What a hosted coordinator state machine offers its host. */
export interface HostedCoordinator {
  unload(): void;
  nextDeadline(): number | null;
  tick(nowMs: number): CoordinatorAppend | null;
  completeLoad(nowMs: number): CoordinatorAppend | null;
  onRecordsDurable(appendSeq: number): void;
  onAppendFailed(appendSeq: number): void;
}

export interface CoordinatorHostOptions<C extends HostedCoordinator> {
  /** The internal topic, for messages. */
  topic: string;
  commits: GroupCommit;
  warn: (message: string) => void;
  /** A new coordinator for partition `handle` (on open, and again when one is retired). */
  create: (handle: number) => C;
  /**
   * Replays one complete batch at `pos` of `bytes` into a loading coordinator; records below `fromOffset` were
   * replayed already (a batch can straddle two reads).
   */
  replay: (coordinator: C, bytes: Buffer, pos: number, header: RecordBatchHeader, fromOffset: number) => void;
}

interface Hosted<C> {
  log: PartitionLog;
  coordinator: C;
  /** Next offset to replay while loading; -1 once loaded. */
  loadOffset: number;
}

export class CoordinatorHost<C extends HostedCoordinator> {
  private readonly hosted = new Map<number, Hosted<C>>();
  private readonly o: CoordinatorHostOptions<C>;

  constructor(o: CoordinatorHostOptions<C>) {
    this.o = o;
  }

  /** True while some coordinator is still replaying its log (the shard must not sleep). */
  get loading(): boolean {
    for (const h of this.hosted.values()) if (h.loadOffset >= 0) return true;
    return false;
  }

  /** The coordinator of partition `handle`, loaded or loading; undefined when this shard does not host it. */
  coordinator(handle: number): C | undefined {
    return this.hosted.get(handle)?.coordinator;
  }

  /** Every loaded coordinator (metrics). */
  *loaded(): IterableIterator<C> {
    for (const h of this.hosted.values()) if (h.loadOffset < 0) yield h.coordinator;
  }

  /** Starts hosting the coordinator of a newly opened partition (it loads over the next turns). */
  open(handle: number, log: PartitionLog): void {
    this.hosted.get(handle)?.coordinator.unload();
    this.hosted.set(handle, { log, coordinator: this.o.create(handle), loadOffset: log.logStartOffset });
  }

  /** The partition is gone (deleted) or the shard stops: everything waiting gets NOT_COORDINATOR. */
  close(handle: number): void {
    this.hosted.get(handle)?.coordinator.unload();
    this.hosted.delete(handle);
  }

  closeAll(): void {
    for (const handle of [...this.hosted.keys()]) this.close(handle);
  }

  /** Loading slices and due timers. */
  turn(nowMs: number): void {
    for (const [handle, h] of this.hosted) {
      if (h.loadOffset >= 0) {
        this.loadSlice(handle, h, nowMs);
        continue;
      }
      const due = h.coordinator.nextDeadline();
      if (due !== null && due <= nowMs) this.write(handle, h.coordinator.tick(nowMs));
    }
  }

  /** Appends one coordinator step's records as one batch and releases its responses once durable. */
  write(handle: number, append: CoordinatorAppend | null): void {
    const h = this.hosted.get(handle);
    if (append === null || h === undefined) return;
    const c = h.coordinator;
    const batch = buildRecordBatch({
      baseTimestamp: Date.now(),
      records: append.records.map((r) => ({ key: r.key, value: r.value })),
      // TxnOffsetCommit: the producer's transactional batch (not sequence-checked: origin coordinator).
      ...(append.producerId === undefined
        ? {}
        : {
            producerId: Number(append.producerId),
            producerEpoch: append.producerEpoch,
            baseSequence: -1,
            isTransactional: true,
          }),
    });
    const r = h.log.append(batch, { origin: 'coordinator', partitionLeaderEpoch: LEADER_EPOCH });
    if (r.errorCode !== 'NONE') {
      this.retire(handle, h, append.appendSeq, r.errorCode);
      return;
    }
    this.o.commits.waitFor(h.log, r.lastOffset, (err) => {
      if (err === null) c.onRecordsDurable(append.appendSeq);
      else if (this.hosted.get(handle)?.coordinator === c) this.retire(handle, h, append.appendSeq, err.errorCode);
    });
  }

  private loadSlice(handle: number, h: Hosted<C>, nowMs: number): void {
    const log = h.log;
    let budget = LOAD_BUDGET_BYTES;
    try {
      while (budget > 0 && h.loadOffset < log.logEndOffset) {
        const r = log.read(h.loadOffset, budget, { isolation: 'logEnd' });
        if (r.errorCode !== 'NONE') throw new Error(`${r.errorCode}: ${r.message}`);
        if (r.size === 0) break;
        const bytes = log.readBytes(r);
        budget -= bytes.length;
        let pos = 0;
        let next = h.loadOffset;
        while (bytes.length - pos >= LOG_OVERHEAD) {
          const size = batchSizeAt(bytes, pos);
          if (pos + size > bytes.length) break; // a partial final batch: read again from its start
          this.o.replay(h.coordinator, bytes, pos, readBatchHeader(bytes, pos), h.loadOffset);
          next = lastOffsetOf(bytes, pos) + 1;
          pos += size;
        }
        // minOneMessage (the default) returns the first batch whole however large, so a read always progresses.
        if (next === h.loadOffset) throw new Error(`no complete batch at offset ${h.loadOffset}`);
        h.loadOffset = next;
      }
    } catch (err) {
      this.o.warn(`${this.o.topic} (handle ${handle}): load failed at ${h.loadOffset}: ${(err as Error).message}`);
      h.coordinator.unload();
      this.hosted.delete(handle);
      return;
    }
    if (h.loadOffset < log.logEndOffset) return;
    h.loadOffset = -1;
    this.write(handle, h.coordinator.completeLoad(nowMs));
  }

  /** The log refused or lost an append: the coordinator is ahead of its log, so rebuild it from the log. */
  private retire(handle: number, h: Hosted<C>, appendSeq: number, errorCode: string): void {
    this.o.warn(`${this.o.topic} (handle ${handle}): append failed (${errorCode}); reloading its coordinator`);
    h.coordinator.onAppendFailed(appendSeq);
    this.open(handle, h.log);
  }
}

/** A request frame carried in a GROUP / TXN ring message (after its 4-byte size), decoded; null when undecodable. */
export function decodeCarriedRequest(
  frame: Uint8Array,
  what: string,
  requestId: number,
  warn: (message: string) => void,
): DecodedRequest | null {
  const decoded = decodeRequest(Buffer.from(frame.buffer, frame.byteOffset + 4, frame.length - 4));
  if (decoded.ok) return decoded.value;
  warn(`${what} request ${requestId}: undecodable: ${decoded.error.message}`);
  return null;
}
