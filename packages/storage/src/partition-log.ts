// The log of one partition: `<log dir>/<topic>-<partition>/`, Kafka's layout:
//   <20-digit base offset>.log / .index / .timeindex   segments (log-segment.ts, offset-index.ts, time-index.ts)
//   leader-epoch-checkpoint                            leader-epoch-cache.ts
//   <20-digit offset>.snapshot                         producer state (producer-state-snapshots.ts; content:
//                                                      producer-state-snapshot-format.ts), written at roll and close
//   <20-digit base offset>.txnindex                    aborted transactions (transaction-index.ts), per segment
//   *.deleted                                          segments removed by retention, unlinked after a delay
//   *.cleaned, *.swap, cleaner-offset-checkpoint       compaction (src/cleaner/; open completes or rolls back an
//                                                      interrupted swap before listing segments)
//
// Offsets: logStartOffset <= highWatermark <= logEndOffset. "Appended" and "durable" are separate events:
// append() writes to the page cache and returns the assigned offsets at once; flush() fdatasyncs and advances
// durableOffset. On one node the highWatermark is the end of what is durable (with `ackBeforeFsync`, the end of what
// is appended). Reads for consumers stop at the highWatermark so a consumer never sees what a crash could take back.
// Transactions: lastStableOffset = min(highWatermark, first offset of the earliest open transaction, first offset of
// a transaction whose marker is not yet below the highWatermark) (Kafka's firstUnstableOffset); read_committed
// reads stop there and return the aborted transactions overlapping the read (transaction-index.ts).
//
// Opening = recovery: every segment is validated from its last offset-index entry (the whole segment when an index
// is missing or corrupt) and cut at the first batch with a bad length or CRC. Older segments were fdatasync'd when
// they rolled, so in practice only the last one can have a torn tail. Without a clean-shutdown marker the recovered
// last segment is fdatasync'd once, so everything found is durable before it is served.
//
// Idempotent producers (producer-state.ts): append() checks each batch's producerId/epoch/sequence before writing;
// a retry of one of a producer's last 5 batches writes nothing and answers the original offsets (`duplicate`).
// The state is rebuilt on open from the newest snapshot plus the batches after it (producer-state-recovery.ts).
//
// Compacted logs (cleanup.policy has compact) own a LogCleaner, created at their first cleanStep; the log implements
// the cleaner's CleanableLog hooks (end of this file).
//
// Owner: shard. Synchronous I/O only.
import { type AppendOrigin, assignOffsets, validateBatches } from './append-validator.ts';
import { cleanerConfigOf } from './cleaner/cleaner-config.ts';
import { type CleanStepResult, LogCleaner } from './cleaner/log-cleaner.ts';
import { recoverCleanerSwap } from './cleaner/segment-swap.ts';
import { type FileOps, fdatasyncEach, readFully } from './file-ops.ts';
import { LeaderEpochCache } from './leader-epoch-cache.ts';
import { isCompacted, type LogConfig, maxSegmentMs } from './log-config.ts';
import { type FoundBatches, findBatches, type ReadOptions, type ReadResult, segmentIndexFor } from './log-read.ts';
import { LogSegment, type SegmentConfig } from './log-segment.ts';
import { type CompletedTxn, DEFAULT_PRODUCER_ID_EXPIRATION_MS, type ProducerStateManager } from './producer-state.ts';
import { recoverProducerState } from './producer-state-recovery.ts';
import { encodeProducerSnapshot } from './producer-state-snapshot-format.ts';
import { ProducerStateSnapshots } from './producer-state-snapshots.ts';
import { DelayedDeletes, segmentsToDelete } from './segment-deletion.ts';
import { ioError, type StorageError, storageError } from './storage-error.ts';
import type { TimestampOffset } from './time-index.ts';
import { offsetForTimestamp, offsetOfMaxTimestamp } from './timestamp-lookup.ts';
import { TransactionIndexes } from './transaction-index.ts';

export type { ReadOptions, ReadResult } from './log-read.ts';

export interface AppendOptions {
  /** Stamped into every batch (and the leader-epoch cache) when >= 0. */
  partitionLeaderEpoch?: number;
  origin?: AppendOrigin;
  /** Wall clock for timestamps and LogAppendTime; the log's clock when absent. */
  nowMs?: number;
}

export interface AppendSuccess {
  errorCode: 'NONE';
  baseOffset: number;
  lastOffset: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTime: number;
  logStartOffset: number;
  records: number;
  /**
   * The batch repeats one of its producer's last 5 (a retry): nothing was written, the offsets are the original
   * batch's and `records` is 0.
   */
  duplicate?: boolean;
}

export type AppendResult = AppendSuccess | StorageError;

/**
 * What one flush must fdatasync (PartitionLog.beginFlush): the active segment's fd, and what an fdatasync that
 * begins now makes durable: the segment's bytes up to `size`, the offsets below `nextOffset`, `records` records.
 */
export interface FlushTicket {
  readonly ops: FileOps;
  readonly fd: number;
  readonly segment: LogSegment;
  readonly size: number;
  readonly nextOffset: number;
  readonly records: number;
}

export interface OpenOptions {
  config: LogConfig;
  ops: FileOps;
  /** From the log dir's log-start-offset checkpoint; 0 when unknown. */
  logStartOffset?: number;
  /** The log dir had a clean-shutdown marker. */
  cleanShutdown?: boolean;
  clock?: () => number;
  /** producer.id.expiration.ms: an idle producer's state is dropped after this long (Kafka's default 1 day). */
  producerIdExpirationMs?: number;
}

export class PartitionLog {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  config: LogConfig;
  readonly leaderEpochCache: LeaderEpochCache;
  readonly producerStateSnapshots: ProducerStateSnapshots;
  /** Idempotent producers' epochs and last batches (producer-state.ts); rebuilt by open(). */
  producerState!: ProducerStateManager;
  private readonly ops: FileOps;
  private readonly clock: () => number;
  /** Ascending by base offset; the last one is the active segment. Never empty. */
  private segments: LogSegment[] = [];
  private readonly deletes: DelayedDeletes;
  private _logStartOffset = 0;
  private _durableOffset = 0;
  /** The highWatermark's byte position: reads for consumers stop there. */
  private durableSegment!: LogSegment;
  private durablePosition = 0;
  private unflushedRecords = 0;
  private lastFlushMs: number;
  /** Aborted transactions by segment (.txnindex files). */
  readonly txnIndexes: TransactionIndexes;
  /** Ended transactions whose marker is not yet below the highWatermark, oldest first: the LSO waits for them. */
  private unreplicatedTxns: { firstOffset: number; lastOffset: number }[] = [];
  /** Bytes cut off torn tails when this log was opened. */
  readonly truncatedOnOpen: number;
  /** Compacted logs only, from their first cleanStep; dropped when the policy stops being compact. */
  private cleaner: LogCleaner | null = null;
  /** The config the cleaner's settings were derived from (a new object = a dynamic config change). */
  private cleanerConfigSource: LogConfig | null = null;

  private constructor(dir: string, topic: string, partition: number, o: OpenOptions) {
    this.dir = dir;
    this.topic = topic;
    this.partition = partition;
    this.config = o.config;
    this.ops = o.ops;
    this.clock = o.clock ?? Date.now;
    this.lastFlushMs = this.clock();
    this.leaderEpochCache = new LeaderEpochCache(o.ops, dir);
    this.producerStateSnapshots = new ProducerStateSnapshots(o.ops, dir);
    this.deletes = new DelayedDeletes(o.ops);
    this.txnIndexes = new TransactionIndexes(o.ops, dir);
    this.truncatedOnOpen = 0;
  }

  /** Opens (recovering) or creates the log in `dir`. Throws on I/O errors: a log that cannot open is offline. */
  static open(dir: string, topic: string, partition: number, o: OpenOptions): PartitionLog {
    const log = new PartitionLog(dir, topic, partition, o);
    const ops = o.ops;
    if (!ops.exists(dir)) ops.mkdir(dir);
    // Before listing segments: a swap interrupted by a crash is completed (or rolled back), so the names below are
    // whole segments, each offset in exactly one of them.
    recoverCleanerSwap(ops, dir);
    const bases: number[] = [];
    for (const name of ops.readdir(dir)) {
      if (name.endsWith('.deleted') || name.endsWith('.tmp')) ops.unlink(`${dir}/${name}`);
      else if (/^\d{20}\.log$/.test(name)) bases.push(Number(name.slice(0, 20)));
    }
    bases.sort((a, b) => a - b);
    const now = log.clock();
    const segConfig = log.segmentConfig();
    let truncated = 0;
    for (let i = 0; i < bases.length; i++) {
      const seg = LogSegment.open(ops, dir, bases[i], segConfig, i === bases.length - 1, now);
      truncated += seg.truncatedOnOpen;
      log.segments.push(seg);
    }
    if (log.segments.length === 0) {
      log.segments.push(LogSegment.create(ops, dir, Math.max(0, o.logStartOffset ?? 0), segConfig, now));
      ops.syncDir(dir);
    }
    // After a crash the recovered tail may still be only in the page cache: make it durable before serving it.
    if (!o.cleanShutdown || truncated > 0) ops.fdatasync(log.active.fd);
    (log as { truncatedOnOpen: number }).truncatedOnOpen = truncated;
    const leo = log.logEndOffset;
    log._logStartOffset = Math.min(Math.max(o.logStartOffset ?? 0, log.segments[0].baseOffset), leo);
    log.leaderEpochCache.truncateFromEnd(leo);
    log.leaderEpochCache.truncateFromStart(log._logStartOffset);
    log.producerStateSnapshots.deleteAbove(leo);
    log.txnIndexes.load(log.segmentBaseOffsets);
    const replayedAborts: { txn: CompletedTxn; lastStableOffset: number }[] = [];
    const recovered = recoverProducerState(
      ops,
      log.producerStateSnapshots,
      log.segments,
      leo,
      o.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      now,
      (txn, lastStableOffset) => {
        if (txn.aborted) replayedAborts.push({ txn, lastStableOffset });
      },
    );
    log.producerState = recovered.state;
    // The index agrees with the snapshot below its offset; above it, the replayed markers are the truth.
    log.txnIndexes.truncateFrom(Math.max(0, recovered.snapshotOffset));
    for (const a of replayedAborts) log.indexAbortedTxn(a.txn, a.lastStableOffset);
    log.txnIndexes.sync();
    log.markDurable();
    return log;
  }

  private segmentConfig(): SegmentConfig {
    return {
      indexIntervalBytes: this.config.indexIntervalBytes,
      maxIndexSize: this.config.segmentIndexBytes,
      indexFlushBytes: this.config.indexFlushBytes,
    };
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  /** Every offset below this is on stable storage. */
  get durableOffset(): number {
    return this._durableOffset;
  }

  get highWatermark(): number {
    return this.config.ackBeforeFsync ? this.logEndOffset : this._durableOffset;
  }

  get lastStableOffset(): number {
    const hw = this.highWatermark;
    // Ordered by marker offset, so the ones now below the highWatermark are a prefix; their first offsets are not
    // ordered, hence the scan (as many entries as transactions ended since the last flush).
    let n = 0;
    while (n < this.unreplicatedTxns.length && this.unreplicatedTxns[n].lastOffset < hw) n++;
    if (n > 0) this.unreplicatedTxns.splice(0, n);
    let lso = hw;
    const ongoing = this.producerState.firstUnstableOffset();
    if (ongoing !== null && ongoing < lso) lso = ongoing;
    for (const t of this.unreplicatedTxns) if (t.firstOffset < lso) lso = t.firstOffset;
    return lso;
  }

  private indexAbortedTxn(txn: CompletedTxn, lastStableOffset: number): void {
    const seg = this.segments[segmentIndexFor(this.segments, txn.lastOffset)];
    this.txnIndexes.append(seg.baseOffset, {
      producerId: txn.producerId,
      firstOffset: txn.firstOffset,
      lastOffset: txn.lastOffset,
      lastStableOffset,
    });
  }

  /** Bytes of all segments. */
  get size(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first (tools, tests). */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** Segments, oldest first. For the cleaner and tools; do not keep references across retention turns. */
  get logSegments(): readonly LogSegment[] {
    return this.segments;
  }

  /**
   * Validates, assigns offsets (patching `records` in place) and writes one produce's batches. Returns the offsets
   * at once; they are durable once durableOffset > lastOffset (after a flush turn). Errors are values; on an I/O
   * error nothing of this call is in the log.
   */
  append(records: Uint8Array, opts: AppendOptions = {}): AppendResult {
    const now = opts.nowMs ?? this.clock();
    const checked = validateBatches(
      records,
      this.config,
      opts.origin ?? 'client',
      now,
      `${this.topic}-${this.partition}`,
    );
    if ('errorCode' in checked) return checked;
    const producers = this.producerState.check(records, opts.origin ?? 'client');
    if ('errorCode' in producers) return producers;
    if (producers.kind === 'duplicate') {
      const d = producers.batch;
      return {
        errorCode: 'NONE',
        baseOffset: d.firstOffset,
        lastOffset: d.lastOffset,
        logAppendTime: this.config.messageTimestampType === 'LogAppendTime' ? d.timestamp : -1,
        logStartOffset: this._logStartOffset,
        records: 0,
        duplicate: true,
      };
    }
    let active = this.active;
    const baseOffset = active.nextOffset;
    const rolls =
      active.shouldRoll(
        checked.bytes,
        checked.maxTimestamp,
        this.config.segmentBytes,
        maxSegmentMs(this.config),
        now,
      ) || baseOffset + checked.records - 1 - active.baseOffset > 0x7fffffff;
    if (rolls) {
      const err = this.roll(now);
      if (err !== null) return err;
      active = this.active;
    }
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime' ? now : -1;
    const epoch = opts.partitionLeaderEpoch ?? -1;
    // A new leader epoch is checkpointed before its first batch is written: if the write then fails, an epoch
    // starting at logEndOffset is harmless; the other order could acknowledge-fail a batch that is in the log.
    if (epoch >= 0 && epoch > this.leaderEpochCache.latestEpoch) {
      try {
        this.leaderEpochCache.assign(epoch, baseOffset);
      } catch (err) {
        return ioError('leader-epoch-checkpoint', err);
      }
    }
    const next = assignOffsets(records, baseOffset, epoch, logAppendTime);
    try {
      active.append(records, 0, records.length);
    } catch (err) {
      return ioError(`append to ${active.logPath}`, err);
    }
    this.unflushedRecords += checked.records;
    if (producers.batches.length > 0) {
      for (const txn of this.producerState.record(producers.batches, baseOffset)) {
        this.unreplicatedTxns.push({ firstOffset: txn.firstOffset, lastOffset: txn.lastOffset });
        if (txn.aborted) this.indexAbortedTxn(txn, this.producerState.firstUnstableOffset() ?? txn.lastOffset + 1);
      }
    }
    return {
      errorCode: 'NONE',
      baseOffset,
      lastOffset: next - 1,
      logAppendTime,
      logStartOffset: this._logStartOffset,
      records: checked.records,
    };
  }

  /** Starts a new active segment at logEndOffset; the old one is made durable and its indexes trimmed first. */
  roll(nowMs: number = this.clock()): StorageError | null {
    const old = this.active;
    if (old.size === 0) return null;
    try {
      old.onBecomeInactive();
      this.segments.push(LogSegment.create(this.ops, this.dir, old.nextOffset, this.segmentConfig(), nowMs));
      this.ops.syncDir(this.dir);
    } catch (err) {
      return ioError(`roll of ${this.dir}`, err);
    }
    this.markDurable();
    // Kafka snapshots producer state at every roll: recovery then replays at most the active segment.
    this.takeProducerSnapshot();
    return null;
  }

  /**
   * Writes the producer-state snapshot for the logEndOffset (atomically, fsync'd). A failure is not an error of
   * the log: recovery falls back to an older snapshot and replays more batches. Returns whether it was written.
   */
  takeProducerSnapshot(): boolean {
    try {
      // The .txnindex entries below the snapshot's offset are trusted by recovery: durable before the snapshot.
      this.txnIndexes.sync();
      this.producerStateSnapshots.write(
        this.logEndOffset,
        encodeProducerSnapshot(this.producerState.activeProducers()),
      );
      return true;
    } catch {
      return false;
    }
  }

  /** True when flush.messages or flush.ms say unflushed data must be flushed even if nobody waits for it. */
  flushDue(nowMs: number = this.clock()): boolean {
    if (this.active.flushedSize === this.active.size) return false;
    return this.unflushedRecords >= this.config.flushMessages || nowMs - this.lastFlushMs >= this.config.flushMs;
  }

  /** Has appended bytes that are not durable yet. */
  get dirty(): boolean {
    return this.active.flushedSize !== this.active.size;
  }

  /** One group-commit step: fdatasync the active segment if dirty. Advances durableOffset; errors are values. */
  flush(nowMs: number = this.clock()): StorageError | null {
    const ticket = this.beginFlush(nowMs);
    if (ticket === null) return null;
    return this.endFlush(ticket, fdatasyncEach(ticket.ops, [ticket.fd])[0]);
  }

  /**
   * flush() in two halves, for a group commit that fdatasyncs many logs' tickets at once (FileOps.fdatasyncAll) or
   * in the background (FileOps.fdatasyncStart) between them: what to sync (null when nothing is dirty), then endFlush
   * with that fdatasync's outcome. Appends and rolls may happen in between: the ticket says what the sync covers,
   * and endFlush never moves durableOffset back (a roll in between already made the ticket's bytes durable).
   */
  beginFlush(nowMs: number = this.clock()): FlushTicket | null {
    this.lastFlushMs = nowMs;
    if (!this.dirty) return null;
    const a = this.active;
    return {
      ops: this.ops,
      fd: a.fd,
      segment: a,
      size: a.size,
      nextOffset: a.nextOffset,
      records: this.unflushedRecords,
    };
  }

  endFlush(ticket: FlushTicket, error: Error | null): StorageError | null {
    if (error !== null) return ioError(`fdatasync of ${ticket.segment.logPath}`, error);
    try {
      ticket.segment.synced(ticket.size);
    } catch (err) {
      return ioError(`index write of ${ticket.segment.logPath}`, err);
    }
    if (ticket.nextOffset > this._durableOffset) {
      this._durableOffset = ticket.nextOffset;
      this.durableSegment = ticket.segment;
      this.durablePosition = ticket.size;
    }
    this.unflushedRecords = Math.max(0, this.unflushedRecords - ticket.records);
    return null;
  }

  private markDurable(): void {
    const active = this.active;
    if (active.flushedSize !== active.size) return;
    this._durableOffset = active.nextOffset;
    this.durableSegment = active;
    this.durablePosition = active.size;
    this.unflushedRecords = 0;
  }

  /**
   * Where to read from fetchOffset: the batch holding it first, up to maxBytes (a partial final batch is allowed),
   * within one segment, never past the highWatermark (or logEndOffset). No bytes are copied (log-read.ts).
   */
  read(fetchOffset: number, maxBytes: number, opts: ReadOptions = {}): ReadResult | StorageError {
    if (opts.isolation === 'readCommitted') return this.readCommitted(fetchOffset, maxBytes, opts);
    const upTo = opts.isolation === 'logEnd' ? this.logEndOffset : this.highWatermark;
    if (fetchOffset < this._logStartOffset || fetchOffset > this.logEndOffset) {
      return storageError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${fetchOffset} is outside [${this._logStartOffset}, ${this.logEndOffset}]`,
      );
    }
    const minOne = opts.minOneMessage ?? true;
    const toEnd = opts.isolation === 'logEnd' || this.config.ackBeforeFsync;
    const upToSegment = toEnd ? this.active : this.durableSegment;
    const upToPosition = toEnd ? this.active.size : this.durablePosition;
    const found =
      fetchOffset < upTo ? findBatches(this.segments, fetchOffset, maxBytes, upToSegment, upToPosition, minOne) : null;
    return this.readResult(found);
  }

  /**
   * read_committed (Fetch isolation_level 1): never past the lastStableOffset (always a batch boundary: the first
   * offset of a transaction's first batch, or the highWatermark), with the aborted transactions that overlap
   * [fetchOffset, lastStableOffset) for Fetch's abortedTransactions.
   */
  private readCommitted(fetchOffset: number, maxBytes: number, opts: ReadOptions): ReadResult | StorageError {
    const lso = this.lastStableOffset;
    const hw = this.highWatermark;
    let r: ReadResult | StorageError;
    if (lso >= hw) r = this.read(fetchOffset, maxBytes, { ...opts, isolation: 'highWatermark' });
    else if (fetchOffset < this._logStartOffset || fetchOffset > this.logEndOffset) {
      r = this.read(fetchOffset, maxBytes, { ...opts, isolation: 'highWatermark' });
    } else {
      const upToSegment = this.segments[segmentIndexFor(this.segments, lso)];
      const upToPosition = upToSegment.translateOffset(lso)?.position ?? upToSegment.size;
      const found =
        fetchOffset < lso
          ? findBatches(this.segments, fetchOffset, maxBytes, upToSegment, upToPosition, opts.minOneMessage ?? true)
          : null;
      r = this.readResult(found);
    }
    if ('path' in r) r.abortedTransactions = this.txnIndexes.collect(fetchOffset, lso, this.segmentBaseOffsets);
    return r;
  }

  /** The ReadResult of what findBatches found; nothing found: an empty read at the end of the active segment. */
  private readResult(found: FoundBatches | null): ReadResult {
    const hw = this.highWatermark;
    const seg = found?.segment ?? this.active;
    return {
      errorCode: 'NONE',
      path: seg.logPath,
      fd: seg.fd,
      position: found?.position ?? seg.size,
      size: found?.size ?? 0,
      firstBatchOffset: found?.firstBatchOffset ?? -1,
      firstBatchSize: found?.firstBatchSize ?? -1,
      highWatermark: hw,
      lastStableOffset: Math.min(hw, this.lastStableOffset),
      logStartOffset: this._logStartOffset,
    };
  }

  /** Reads the bytes a ReadResult points at (tests and tools; the fetch path sends them from the fd). */
  readBytes(r: ReadResult): Buffer {
    const out = Buffer.allocUnsafe(r.size);
    return out.subarray(0, readFully(this.ops, r.fd, out, 0, r.size, r.position));
  }

  /**
   * ListOffsets by timestamp: the first offset >= logStartOffset whose record timestamp >= ts, with that record's
   * timestamp; null when there is none below the highWatermark (ListOffsets then answers offset -1).
   */
  offsetForTimestamp(ts: number): TimestampOffset | null {
    const first = segmentIndexFor(this.segments, this._logStartOffset);
    return offsetForTimestamp(this.segments, first, this._logStartOffset, this.highWatermark, ts);
  }

  /** ListOffsets MAX_TIMESTAMP (-3, KIP-734): the first record with the largest timestamp, or null when empty. */
  offsetOfMaxTimestamp(): TimestampOffset | null {
    const first = segmentIndexFor(this.segments, this._logStartOffset);
    return offsetOfMaxTimestamp(this.segments, first, this._logStartOffset, this.highWatermark);
  }

  /** DeleteRecords: advances logStartOffset (never past the highWatermark). The caller persists the checkpoint. */
  deleteRecords(offset: number): { errorCode: 'NONE'; lowWatermark: number } | StorageError {
    if (offset > this.highWatermark || offset < 0) {
      return storageError('OFFSET_OUT_OF_RANGE', `offset ${offset} is above the highWatermark ${this.highWatermark}`);
    }
    if (offset > this._logStartOffset) this.advanceLogStartOffset(offset);
    return { errorCode: 'NONE', lowWatermark: this._logStartOffset };
  }

  private advanceLogStartOffset(offset: number): void {
    this._logStartOffset = offset;
    try {
      this.leaderEpochCache.truncateFromStart(offset);
      // Only snapshots of deleted segments go (Kafka deletes a segment's snapshot with it): DeleteRecords inside
      // a segment keeps the snapshot at its base, or a restart would forget producers whose batches are gone.
      this.producerStateSnapshots.deleteBelow(this.segments[0].baseOffset);
    } catch {
      // Both are rebuilt or rewritten on the next change; a failure here must not fail DeleteRecords.
    }
  }

  /**
   * Retention on whole segments, never the active one: segments entirely below logStartOffset, older than
   * retention.ms (by their largest timestamp), and the oldest ones while the log exceeds retention.bytes. Deleted
   * segments are renamed `.deleted` and unlinked file.delete.delay.ms later. Returns how many were deleted.
   */
  runRetention(nowMs: number = this.clock()): number {
    // producer.id.expiration.ms is checked on the retention schedule (Kafka: every 10 minutes by default).
    this.producerState.removeExpired(nowMs);
    const n = segmentsToDelete(this.segments, this.config, this._logStartOffset, nowMs);
    if (n === 0) return 0;
    this.deletes.deleteSegments(this.segments.splice(0, n), nowMs + this.config.fileDeleteDelayMs);
    try {
      this.txnIndexes.retain(this.segmentBaseOffsets);
    } catch {
      // leftover files are removed at the next open
    }
    if (this.segments[0].baseOffset > this._logStartOffset) this.advanceLogStartOffset(this.segments[0].baseOffset);
    this.deletes.run(nowMs);
    return n;
  }

  /** Unlinks `.deleted` files whose file.delete.delay.ms passed and closes their fds. */
  deleteExpiredFiles(nowMs: number = this.clock()): void {
    this.deletes.run(nowMs);
  }

  // ---- compaction ----

  /**
   * One bounded slice of compaction (about `budgetBytes` of segment data read, at least one batch), for the shard
   * loop between append turns. Idle unless cleanup.policy has compact; settings come from `config` at each call.
   * Errors are values: an I/O error abandons the pass and leaves the log uncleanable until it is reopened
   * (`logCleaner.uncleanableReason`), the log itself stays online.
   */
  cleanStep(budgetBytes: number, nowMs: number = this.clock()): CleanStepResult {
    if (!isCompacted(this.config)) {
      this.abortCleaning();
      this.cleaner = null;
      return { state: 'idle', bytesRead: 0 };
    }
    if (this.cleanerConfigSource !== this.config) {
      const config = cleanerConfigOf(this.config);
      if (this.cleaner === null) this.cleaner = new LogCleaner(this, config, this.ops);
      else this.cleaner.config = config;
      this.cleanerConfigSource = this.config;
    }
    const cleaner = this.cleaner!;
    try {
      return cleaner.cleanStep(budgetBytes, nowMs);
    } catch (err) {
      cleaner.abort();
      cleaner.uncleanableReason = ioError(`cleaning ${this.dir}`, err).message;
      return { state: 'aborted', bytesRead: 0 };
    }
  }

  /** Drops the cleaner's pass in progress (its .cleaned files go). Called before truncating or deleting the log. */
  abortCleaning(): void {
    this.cleaner?.abort();
  }

  /** The log's cleaner (stats, firstDirtyOffset, uncleanableReason); null until the first cleanStep. */
  get logCleaner(): LogCleaner | null {
    return this.cleaner;
  }

  /**
   * Compacted logs: rolls the active segment once its first record is older than min(segment.ms,
   * max.compaction.lag.ms), so it becomes cleanable without waiting for an append (Kafka rolls only on append, which
   * leaves a quiet partition's records dirty forever). Returns whether it rolled; errors are values.
   */
  rollForCompaction(nowMs: number = this.clock()): boolean | StorageError {
    const active = this.active;
    if (!isCompacted(this.config) || active.size === 0) return false;
    const since = active.rollingBasedTimestamp >= 0 ? active.rollingBasedTimestamp : active.createdMs;
    if (nowMs - since <= maxSegmentMs(this.config)) return false;
    return this.roll(nowMs) ?? true;
  }

  // ---- what the cleaner needs (src/cleaner/log-cleaner.ts CleanableLog) ----

  get activeSegmentBaseOffset(): number {
    return this.active.baseOffset;
  }

  /** Every segment except the active one, ascending. */
  sealedSegments(): Array<{ baseOffset: number; sizeInBytes: number; largestTimestamp: number }> {
    return this.segments.slice(0, -1).map((s) => ({
      baseOffset: s.baseOffset,
      sizeInBytes: s.size,
      largestTimestamp: s.maxTimestampSoFar,
    }));
  }

  /** Offsets at or above stay dirty for the cleaner: the highWatermark until transactions add a first unstable one. */
  firstUncleanableOffset(): number {
    return this.highWatermark;
  }

  /**
   * The cleaner swapped files: sealed segments `oldBaseOffsets` are replaced by the cleaned sealed segment now at
   * `newBaseOffset` (already under its final names). The old segments' fds stay open for reads in flight and close
   * when `deletedPaths` are unlinked, file.delete.delay.ms from now.
   */
  replaceSegments(oldBaseOffsets: readonly number[], newBaseOffset: number, deletedPaths: readonly string[]): void {
    const old = new Set(oldBaseOffsets);
    const removed = this.segments.filter((s) => old.has(s.baseOffset) && s !== this.active);
    const kept = this.segments.filter((s) => !removed.includes(s));
    const cleaned = LogSegment.open(this.ops, this.dir, newBaseOffset, this.segmentConfig(), false, this.clock());
    kept.push(cleaned);
    kept.sort((a, b) => a.baseOffset - b.baseOffset);
    this.segments = kept;
    try {
      this.txnIndexes.merge(oldBaseOffsets, newBaseOffset);
    } catch {
      // the merged entries stay in memory; recovery replays the markers of the segments after the last snapshot
    }
    this.deletes.schedule(removed, deletedPaths, this.clock() + this.config.fileDeleteDelayMs);
  }

  /** Flushes everything and trims the active segment's indexes (a clean close). Throws on I/O errors. */
  close(): void {
    this.abortCleaning();
    const active = this.active;
    active.onBecomeInactive();
    // After the flush: the snapshot covers exactly the durable log, so the next open replays nothing.
    this.takeProducerSnapshot();
    for (const seg of this.segments) seg.close();
    this.deletes.run(Number.MAX_SAFE_INTEGER);
    this.segments = [];
  }

  /** Closes without flushing anything (a crash, for tests; or a log dir that failed). */
  closeUnclean(): void {
    try {
      this.abortCleaning();
    } catch {
      // best effort: recovery deletes .cleaned files on the next open
    }
    for (const seg of this.segments) {
      try {
        seg.close();
      } catch {
        // best effort
      }
    }
    this.segments = [];
  }
}
