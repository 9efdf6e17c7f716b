// A shard: a worker thread that owns a set of partition logs (ARCHITECTURE.md §2). Its loop is the group commit:
//   drain the request ring (append every batch straight from ring memory, answer reads with file locations)
//   -> one fdatasync per dirty log that has waiters or whose flush.ms / flush.messages came due (GroupCommit)
//   -> publish APPEND completions whose offsets are now durable, and OFFSETS for every partition that moved
//   -> retention every log.retention.check.interval.ms
//   -> when idle, one bounded slice of compaction (CLEANER_BUDGET_BYTES) for logs with cleanup.policy compact
//   -> when idle, a wait on the request ring (Atomics.wait; waitAsync while completions are queued), bounded
//      (IDLE_WAIT_MS) so flush.ms, background fdatasyncs and retention still run.
// Message layouts: shard-protocol.ts. The main thread closes the request ring to stop the shard; the shard then
// flushes and closes every log (a clean close) and posts { closed: true }.
// Owner: shard. Every PartitionLog here is touched only by this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { RingConsumer, RingProducer } from '@sluice/ring';
import {
  GroupCommit,
  isCompacted,
  type LogConfig,
  logConfig,
  PartitionLog,
  realFileOps,
  STORAGE_ERROR_CODES,
} from '@sluice/storage';
import { FlushTimings } from '../metrics/flush-timings.ts';
import { GroupCoordinators, OFFSETS_TOPIC } from './group-coordinators.ts';
import {
  type ActiveProducer,
  APPEND_FLAG_WAIT_DURABLE,
  type ControlRequest,
  decodeAppendRequest,
  decodeControl,
  decodeReadRequest,
  encodeAppendCompletion,
  encodeControl,
  encodeGroupCompletionHeader,
  encodeOffsets,
  encodeReadCompletion,
  type ListOffsetsReply,
  OP_APPEND,
  OP_CONTROL,
  OP_GROUP,
  OP_OFFSETS,
  OP_READ,
  OP_TXN,
  READ_FLAG_LOG_END,
  READ_FLAG_MIN_ONE_MESSAGE,
  READ_FLAG_READ_COMMITTED,
  type ShardPartition,
  type ShardWorkerData,
} from './shard-protocol.ts';
import { TRANSACTION_STATE_TOPIC, TxnCoordinators } from './txn-coordinators.ts';
import { writeTxnMarker } from './txn-markers.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
// A single node leads every partition in leader epoch 0 (as a Kafka single node does after topic creation).
const LEADER_EPOCH = 0;
const KAFKA_STORAGE_ERROR = 56;
const INVALID_TIMESTAMP = 32;
const INVALID_RECORD = 87;
// 1 MiB of segment data read per idle turn of the log cleaner (a few ms), so compaction never delays appends long.
const CLEANER_BUDGET_BYTES = 1024 * 1024;
// 100 ms: the longest an idle shard sleeps; flush.ms (1000 by default) and retention are checked at least this often.
const IDLE_WAIT_MS = 100;

const data = workerData as ShardWorkerData;

const requests = new RingConsumer(data.requests);
const completions = new RingProducer(data.completions);
const logs = new Map<number, PartitionLog>();
const published = new Map<number, { hw: number; leo: number; lso: number }>();
const commits = new GroupCommit(() => logs.values(), { backgroundPolicyFlushes: true });
const flushTimings = new FlushTimings();
const groups = new GroupCoordinators({
  commits,
  post: (requestId, frame) => completions.push(OP_GROUP, encodeGroupCompletionHeader(requestId), frame),
  config: data.groupConfig,
  warn: (m) => parentPort!.postMessage({ warning: `shard ${data.shardId}: ${m}` }),
});
const txns = new TxnCoordinators({
  commits,
  post: (requestId, frame) => completions.push(OP_GROUP, encodeGroupCompletionHeader(requestId), frame),
  postMarkers: (m) => parentPort!.postMessage(m),
  config: data.txnConfig,
  warn: (m) => parentPort!.postMessage({ warning: `shard ${data.shardId}: ${m}` }),
});
// A second bound, 10x the first, in case the ring's own bounded wait never returns (a lost wake-up together with a
// timeout that does not fire): then the shard still runs its loop every second. It must stay well above
// IDLE_WAIT_MS: when it wins, the ring's Atomics waiter is still registered and would take the next wake-up.
const SAFETY_WAIT_MS = 10 * IDLE_WAIT_MS;

/** Sleeps until the main thread pushes a request, at most IDLE_WAIT_MS (SAFETY_WAIT_MS if the wait misbehaves). */
function idle(): Promise<void> | undefined {
  // Blocking, unless completions wait in the ring's overflow queue (it drains on this thread's event loop): waking a
  // thread blocked in Atomics.wait costs the main thread's notify 9-14 us against ~28 us for one parked in
  // Atomics.waitAsync, measured at 8-12% of the main thread's busy time under W1, and the shard resumes at once
  // instead of after an event-loop task. Nothing else here needs the event loop (background fdatasyncs are polled).
  if (completions.queuedEntries === 0) {
    requests.waitSync(IDLE_WAIT_MS);
    return undefined;
  }
  const wait = requests.waitAsync(IDLE_WAIT_MS);
  if (wait === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    wait,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SAFETY_WAIT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}
/** Logs of deleted partitions, renamed away, closed and removed once no read can still use their fds. */
const deleting: Array<{ log: PartitionLog; dir: string; dueMs: number }> = [];

function removeDeleted(nowMs: number): void {
  for (let i = deleting.length - 1; i >= 0; i--) {
    const d = deleting[i];
    if (d.dueMs > nowMs) continue;
    deleting.splice(i, 1);
    d.log.closeUnclean();
    try {
      realFileOps.rmdir(d.dir);
    } catch {
      // Removed at the next start (the broker deletes "-delete" directories).
    }
  }
}

function dirOf(p: ShardPartition): string {
  return `${data.dataDir}/${p.topic}-${p.partition}`;
}

function configOf(p: { config: Record<string, unknown> }): LogConfig {
  return logConfig({ ...(p.config as Partial<LogConfig>), ackBeforeFsync: data.ackBeforeFsync });
}

function openLog(p: ShardPartition, cleanShutdown: boolean): PartitionLog {
  const log = PartitionLog.open(dirOf(p), p.topic, p.partition, {
    config: configOf(p),
    ops: realFileOps,
    logStartOffset: p.logStartOffset,
    cleanShutdown,
    producerIdExpirationMs: data.producerIdExpirationMs,
  });
  // Becoming leader, Kafka assigns the leader epoch at the logEndOffset (Partition.makeLeader); a single node's
  // epoch is 0 forever, so this writes the checkpoint once per partition (no-op when epoch 0 is already there).
  try {
    log.leaderEpochCache.assign(LEADER_EPOCH, log.logEndOffset);
  } catch {
    // Written again with the first batch stamped epoch 0 (PartitionLog.append).
  }
  return log;
}

function publishOffsets(): void {
  for (const [handle, log] of logs) {
    const hw = log.highWatermark;
    const leo = log.logEndOffset;
    const lso = log.logStartOffset;
    const last = published.get(handle);
    if (last !== undefined && last.hw === hw && last.leo === leo && last.lso === lso) continue;
    published.set(handle, { hw, leo, lso });
    completions.push(
      OP_OFFSETS,
      encodeOffsets({ partitionHandle: handle, highWatermark: hw, logEndOffset: leo, logStartOffset: lso }),
    );
  }
}

function reply(requestId: number, message: unknown): void {
  completions.push(OP_CONTROL, encodeControl(requestId, message));
}

function appendFailed(requestId: number, errorCode: number, logStartOffset = -1): void {
  completions.push(
    OP_APPEND,
    encodeAppendCompletion({ requestId, errorCode, baseOffset: -1, logAppendTime: -1, logStartOffset }),
  );
}

/**
 * The logStartOffset a failed append reports, as Kafka's ReplicaManager does: the partition's own for a record
 * validation failure (INVALID_RECORD, INVALID_TIMESTAMP: a RecordValidationException), -1 for everything else.
 */
function failedAppendLogStartOffset(log: PartitionLog, errorCode: number): number {
  return errorCode === INVALID_RECORD || errorCode === INVALID_TIMESTAMP ? log.logStartOffset : -1;
}

function handleAppend(bytes: Uint8Array, offset: number, length: number): void {
  const req = decodeAppendRequest(bytes, offset, length);
  const log = logs.get(req.partitionHandle);
  if (log === undefined) {
    appendFailed(req.requestId, UNKNOWN_TOPIC_OR_PARTITION);
    return;
  }
  const records = bytes.subarray(req.recordsOffset, req.recordsOffset + req.recordsLength);
  const r = log.append(records, { partitionLeaderEpoch: LEADER_EPOCH });
  if (r.errorCode !== 'NONE') {
    const errorCode = STORAGE_ERROR_CODES[r.errorCode];
    if (r.recordErrors === undefined)
      appendFailed(req.requestId, errorCode, failedAppendLogStartOffset(log, errorCode));
    else {
      // Rare and variable-length: the failure with its record errors travels as a CONTROL-tagged JSON completion.
      reply(req.requestId, {
        requestId: req.requestId,
        errorCode,
        baseOffset: -1,
        logAppendTime: -1,
        logStartOffset: failedAppendLogStartOffset(log, errorCode),
        errorMessage: r.message,
        recordErrors: r.recordErrors,
      });
    }
    return;
  }
  const done = {
    requestId: req.requestId,
    errorCode: 0,
    baseOffset: r.baseOffset,
    logAppendTime: r.logAppendTime,
    logStartOffset: r.logStartOffset,
  };
  if ((req.flags & APPEND_FLAG_WAIT_DURABLE) === 0) {
    completions.push(OP_APPEND, encodeAppendCompletion(done));
    return;
  }
  commits.waitFor(log, r.lastOffset, (err) => {
    if (err !== null) done.errorCode = STORAGE_ERROR_CODES[err.errorCode];
    completions.push(OP_APPEND, encodeAppendCompletion(done));
  });
}

function failedRead(requestId: number, errorCode = KAFKA_STORAGE_ERROR) {
  return {
    requestId,
    errorCode,
    size: 0,
    fd: -1,
    position: 0,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    firstBatchOffset: -1,
    firstBatchSize: -1,
  };
}

function handleRead(bytes: Uint8Array, offset: number): void {
  const req = decodeReadRequest(bytes, offset);
  const log = logs.get(req.partitionHandle);
  const none = failedRead(req.requestId, UNKNOWN_TOPIC_OR_PARTITION);
  if (log === undefined) {
    completions.push(OP_READ, encodeReadCompletion(none));
    return;
  }
  const r = log.read(req.fetchOffset, req.maxBytes, {
    isolation:
      (req.flags & READ_FLAG_LOG_END) !== 0
        ? 'logEnd'
        : (req.flags & READ_FLAG_READ_COMMITTED) !== 0
          ? 'readCommitted'
          : 'highWatermark',
    minOneMessage: (req.flags & READ_FLAG_MIN_ONE_MESSAGE) !== 0,
  });
  if (r.errorCode !== 'NONE') {
    none.errorCode = STORAGE_ERROR_CODES[r.errorCode];
    none.highWatermark = log.highWatermark;
    none.lastStableOffset = log.lastStableOffset;
    none.logStartOffset = log.logStartOffset;
    completions.push(OP_READ, encodeReadCompletion(none));
    return;
  }
  completions.push(
    OP_READ,
    encodeReadCompletion({
      requestId: req.requestId,
      errorCode: 0,
      size: r.size,
      fd: r.fd,
      position: r.position,
      highWatermark: r.highWatermark,
      lastStableOffset: r.lastStableOffset,
      logStartOffset: r.logStartOffset,
      firstBatchOffset: r.firstBatchOffset,
      // Storage located this batch through the index and knows its whole size: Fetch's "a later partition that
      // cannot hold one whole batch is sent empty" needs no read of the records.
      firstBatchSize: r.firstBatchSize,
      abortedTransactions: (req.flags & READ_FLAG_READ_COMMITTED) !== 0 ? (r.abortedTransactions ?? []) : undefined,
    }),
  );
}

function listOffsets(log: PartitionLog, timestamp: number, isolation: string): ListOffsetsReply {
  const upTo =
    isolation === 'logEnd'
      ? log.logEndOffset
      : isolation === 'readCommitted'
        ? log.lastStableOffset
        : log.highWatermark;
  const epoch = log.leaderEpochCache.latestEpoch;
  switch (timestamp) {
    case -1:
      return { errorCode: 0, offset: upTo, timestamp: -1, leaderEpoch: epoch };
    case -2:
    case -4:
      return { errorCode: 0, offset: log.logStartOffset, timestamp: -1, leaderEpoch: epoch };
    case -5:
      return { errorCode: 0, offset: upTo, timestamp: -1, leaderEpoch: epoch };
    case -3: {
      const found = log.offsetOfMaxTimestamp();
      if (found === null) return { errorCode: 0, offset: -1, timestamp: -1, leaderEpoch: -1 };
      return { errorCode: 0, offset: found.offset, timestamp: found.timestamp, leaderEpoch: epoch };
    }
    default: {
      const found = log.offsetForTimestamp(timestamp);
      if (found === null) return { errorCode: 0, offset: -1, timestamp: -1, leaderEpoch: -1 };
      return { errorCode: 0, offset: found.offset, timestamp: found.timestamp, leaderEpoch: epoch };
    }
  }
}

function handleControl(message: ControlRequest): unknown {
  switch (message.op) {
    case 'create': {
      const errors: Record<number, number> = {};
      for (const p of message.partitions) {
        if (logs.has(p.partitionHandle)) continue;
        try {
          logs.set(p.partitionHandle, openLog(p, true));
          if (p.topic === OFFSETS_TOPIC) groups.open(p.partitionHandle, logs.get(p.partitionHandle)!);
          if (p.topic === TRANSACTION_STATE_TOPIC) txns.open(p.partitionHandle, logs.get(p.partitionHandle)!);
          realFileOps.syncDir(data.dataDir);
        } catch {
          errors[p.partitionHandle] = KAFKA_STORAGE_ERROR;
        }
      }
      return { errorCode: 0, errors };
    }
    case 'delete': {
      for (const handle of message.partitionHandles) {
        const log = logs.get(handle);
        if (log === undefined) continue;
        commits.failAll(log, { errorCode: 'KAFKA_STORAGE_ERROR', message: 'partition deleted' });
        logs.delete(handle);
        groups.close(handle);
        txns.close(handle);
        published.delete(handle);
        // Kafka's way: rename to "<dir>.<id>-delete" at once (the name is free for a new topic), close and remove
        // later, so that main-thread reads in flight on this log's fds never meet a closed or reused fd.
        const renamed = `${log.dir}.${Date.now()}${handle}-delete`;
        realFileOps.rename(log.dir, renamed);
        deleting.push({ log, dir: renamed, dueMs: Date.now() + log.config.fileDeleteDelayMs });
      }
      realFileOps.syncDir(data.dataDir);
      return { errorCode: 0 };
    }
    case 'alterConfig': {
      const log = logs.get(message.partitionHandle);
      if (log === undefined) return { errorCode: UNKNOWN_TOPIC_OR_PARTITION };
      log.config = configOf(message);
      return { errorCode: 0 };
    }
    case 'listOffsets': {
      const log = logs.get(message.partitionHandle);
      if (log === undefined) return { errorCode: UNKNOWN_TOPIC_OR_PARTITION, offset: -1, timestamp: -1 };
      return listOffsets(log, message.timestamp, message.isolation);
    }
    case 'deleteRecords': {
      const log = logs.get(message.partitionHandle);
      if (log === undefined) return { errorCode: UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 };
      const offset = message.offset === -1 ? log.highWatermark : message.offset;
      const r = log.deleteRecords(offset);
      if (r.errorCode !== 'NONE') return { errorCode: STORAGE_ERROR_CODES[r.errorCode], lowWatermark: -1 };
      return { errorCode: 0, lowWatermark: r.lowWatermark };
    }
    case 'describeProducers': {
      const log = logs.get(message.partitionHandle);
      if (log === undefined) return { errorCode: UNKNOWN_TOPIC_OR_PARTITION };
      const producers: ActiveProducer[] = [];
      for (const e of log.producerState.activeProducers()) {
        const last = e.batches[e.batches.length - 1];
        producers.push({
          producerId: e.producerId,
          producerEpoch: e.producerEpoch,
          lastSequence: last === undefined ? -1 : last.lastSeq,
          lastTimestamp: e.lastTimestamp,
          coordinatorEpoch: e.coordinatorEpoch,
          currentTxnStartOffset: e.currentTxnFirstOffset,
        });
      }
      return { errorCode: 0, producers };
    }
    case 'logDirSizes': {
      const sizes: Record<number, number> = {};
      for (const [handle, log] of logs) sizes[handle] = log.size;
      return { errorCode: 0, sizes };
    }
    case 'stats':
      return { errorCode: 0, flush: flushTimings.snapshot(), committed: groups.committedOffsets(message.maxCommitted) };
    case 'unloadGroups':
      groups.closeAll();
      txns.closeAll();
      return { errorCode: 0 };
    case 'txnMarkersWritten':
      txns.markersWritten(
        message.partitionHandle,
        message.marker.transactionalId,
        message.marker.producerId,
        message.marker.producerEpoch,
      );
      return { errorCode: 0 };
    case 'writeTxnMarker':
      throw new Error('writeTxnMarker is answered asynchronously (drain)');
  }
}

let cleanerCursor = 0;

/** One bounded turn of compaction over the compacted logs, round-robin; true when it read anything. */
function cleanerTurn(nowMs: number): boolean {
  const all = [...logs.values()];
  let read = 0;
  for (let visited = 0; visited < all.length && read < CLEANER_BUDGET_BYTES; visited++) {
    const log = all[cleanerCursor % all.length];
    if (isCompacted(log.config) || log.logCleaner !== null) {
      try {
        if (log.logCleaner?.busy !== true) log.rollForCompaction(nowMs);
        read += log.cleanStep(CLEANER_BUDGET_BYTES - read, nowMs).bytesRead;
      } catch {
        // Errors inside a pass are values; anything else leaves the log uncompacted until the next turn.
      }
      if (log.logCleaner?.busy === true) break;
    }
    cleanerCursor = (cleanerCursor + 1) % all.length;
  }
  return read > 0;
}

function drain(): number {
  let n = 0;
  while (requests.next()) {
    n++;
    const { tag, bytes, offset, length } = requests;
    try {
      if (tag === OP_APPEND) handleAppend(bytes, offset, length);
      else if (tag === OP_GROUP) groups.handle(bytes, offset, length);
      else if (tag === OP_TXN) txns.handle(bytes, offset, length);
      else if (tag === OP_READ) handleRead(bytes, offset);
      else if (tag === OP_CONTROL) {
        const { requestId, message } = decodeControl(bytes, offset, length);
        const m = message as ControlRequest;
        if (m.op === 'writeTxnMarker') {
          writeTxnMarker(logs.get(m.partitionHandle), m.marker, commits, (answer) => {
            // On __consumer_offsets: TxnOffsetCommit's pending offsets of the producer apply (COMMIT) or go.
            if (answer.errorCode === 0) {
              groups.onTxnMarker(m.partitionHandle, m.marker.producerId, m.marker.producerEpoch, m.marker.committed);
            }
            reply(requestId, answer);
          });
          continue;
        }
        let answer: unknown;
        try {
          answer = handleControl(message as ControlRequest);
        } catch (err) {
          answer = { errorCode: KAFKA_STORAGE_ERROR, message: String(err) };
        }
        reply(requestId, answer);
      }
    } catch (err) {
      // A bug on one request must not take the shard (and all its partitions) down: answer it with an error.
      parentPort!.postMessage({ warning: `shard ${data.shardId}: request failed: ${(err as Error)?.stack ?? err}` });
      const requestId = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
      if (tag === OP_APPEND) appendFailed(requestId, KAFKA_STORAGE_ERROR);
      else if (tag === OP_READ) completions.push(OP_READ, encodeReadCompletion(failedRead(requestId)));
      // An empty GROUP completion: the main thread answers the request with NOT_COORDINATOR.
      else if (tag === OP_GROUP || tag === OP_TXN) completions.push(OP_GROUP, encodeGroupCompletionHeader(requestId));
    }
  }
  // Every append above is written (synchronously) and every read answered: the entries' ring space can go.
  requests.release();
  return n;
}

for (const p of data.partitions) {
  logs.set(p.partitionHandle, openLog(p, data.cleanShutdown));
  if (p.topic === OFFSETS_TOPIC) groups.open(p.partitionHandle, logs.get(p.partitionHandle)!);
  if (p.topic === TRANSACTION_STATE_TOPIC) txns.open(p.partitionHandle, logs.get(p.partitionHandle)!);
}
publishOffsets();
parentPort!.postMessage({ ready: true });

let nextRetentionMs = Date.now() + data.retentionCheckIntervalMs;
for (;;) {
  const handled = drain();
  const now = Date.now();
  groups.turn(now);
  txns.turn(now);
  const flushStart = performance.now();
  const fdatasyncs = commits.turn(now);
  if (fdatasyncs > 0) flushTimings.observe((performance.now() - flushStart) / 1000, fdatasyncs);
  publishOffsets();
  if (deleting.length > 0) removeDeleted(now);
  if (now >= nextRetentionMs) {
    nextRetentionMs = now + data.retentionCheckIntervalMs;
    for (const log of logs.values()) {
      try {
        log.runRetention(now);
        log.deleteExpiredFiles(now);
      } catch {
        // A failed retention turn is retried on the next check; the log stays readable.
      }
    }
    publishOffsets();
  }
  if (requests.ended) break;
  // Idle: compaction gets the time, and the shard sleeps only when the cleaner has nothing to do either.
  if (handled === 0 && !groups.loading && !txns.loading && !cleanerTurn(now)) await idle();
}

// A clean close: everything appended is fdatasync'd, indexes trimmed. Offsets are published once more so the main
// thread checkpoints the final logStartOffsets.
commits.settle();
commits.turn(Date.now());
groups.closeAll();
txns.closeAll();
publishOffsets();
removeDeleted(Number.MAX_SAFE_INTEGER);
let clean = true;
for (const log of logs.values()) {
  try {
    log.close();
  } catch {
    // An unflushable log must be recovered on the next start: the broker then writes no clean-shutdown marker.
    clean = false;
  }
}
completions.close();
await completions.whenDrained();
parentPort!.postMessage({ closed: true, clean });
