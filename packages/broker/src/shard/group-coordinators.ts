// The group coordinators of one shard: one GroupCoordinator (@sluice/coordinator) per __consumer_offsets partition
// the shard owns (ARCHITECTURE.md §6).
//   open(handle, log)  a partition opened (shard start or topic creation): the coordinator starts loading; every
//                      loop turn replays up to LOAD_BUDGET_BYTES of the log (storage read -> readRecords ->
//                      loadRecord), then completeLoad. Requests meanwhile get COORDINATOR_LOAD_IN_PROGRESS.
//   handle(GROUP msg)  decodes the request frame, calls handle(); each returned Append becomes ONE record batch
//                      (origin 'coordinator') appended to the partition; onRecordsDurable runs from the group
//                      commit once the batch is fdatasync'd; responses leave as GROUP completions (encoded frames),
//                      maybe much later (JoinGroup waits for the rebalance).
//   turn(now)          loading slices and timers: tick() for every coordinator whose nextDeadline has come.
//   onTxnMarker()      a COMMIT/ABORT marker on the partition is durable (shard-worker.ts): TxnOffsetCommit's
//                      pending offsets apply or go. A TxnOffsetCommit Append is written as the producer's
//                      transactional batch; loading replays transactional batches and markers the same way.
// A failed append retires the coordinator (answers NOT_COORDINATOR) and a new one is rebuilt from the log.
// Owner: shard. Never touched from the main thread.
import { type Append, type CoordinatorConfig, errorResponse, GroupCoordinator } from '@sluice/coordinator';
import {
  batchSizeAt,
  buildRecordBatch,
  CONTROL_TYPE_COMMIT,
  decodeRequest,
  encodeResponse,
  LOG_OVERHEAD,
  lastOffsetOf,
  readBatchHeader,
  readEndTxnMarkerBatch,
  readRecords,
} from '@sluice/protocol';
import type { GroupCommit, PartitionLog } from '@sluice/storage';
import { decodeGroupRequest } from './shard-protocol.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';
// 4 MiB of __consumer_offsets replayed per loop turn (a few ms): a large partition loads over many turns while the
// shard keeps serving its other partitions.
const LOAD_BUDGET_BYTES = 4 * 1024 * 1024;
const NOT_COORDINATOR = 16;
// A single node leads every partition in leader epoch 0 (see shard-worker.ts).
const LEADER_EPOCH = 0;

interface Hosted {
  log: PartitionLog;
  coordinator: GroupCoordinator;
  /** Next offset to replay while loading; -1 once loaded. */
  loadOffset: number;
}

export interface GroupCoordinatorsOptions {
  commits: GroupCommit;
  /** Posts a GROUP completion (the encoded response frame). */
  post: (requestId: number, frame: Uint8Array) => void;
  config?: Partial<CoordinatorConfig>;
  warn: (message: string) => void;
}

export class GroupCoordinators {
  private readonly hosted = new Map<number, Hosted>();
  private readonly o: GroupCoordinatorsOptions;

  constructor(o: GroupCoordinatorsOptions) {
    this.o = o;
  }

  /** True while some coordinator is still replaying its log (the shard must not sleep). */
  get loading(): boolean {
    for (const h of this.hosted.values()) if (h.loadOffset >= 0) return true;
    return false;
  }

  /** Starts hosting the coordinator of a newly opened __consumer_offsets partition (loads over the next turns). */
  open(partitionHandle: number, log: PartitionLog): void {
    this.hosted.get(partitionHandle)?.coordinator.unload();
    this.hosted.set(partitionHandle, {
      log,
      coordinator: new GroupCoordinator({ config: this.o.config }),
      loadOffset: log.logStartOffset,
    });
  }

  /** The partition is gone (deleted) or the shard stops: everything waiting gets NOT_COORDINATOR. */
  close(partitionHandle: number): void {
    this.hosted.get(partitionHandle)?.coordinator.unload();
    this.hosted.delete(partitionHandle);
  }

  closeAll(): void {
    for (const handle of [...this.hosted.keys()]) this.close(handle);
  }

  /**
   * Committed offsets of every loaded coordinator's groups (metrics: consumer group lag), at most `max` entries so a
   * scrape's reply stays bounded.
   */
  committedOffsets(max: number): Array<{ groupId: string; topic: string; partition: number; committedOffset: number }> {
    const out: Array<{ groupId: string; topic: string; partition: number; committedOffset: number }> = [];
    for (const h of this.hosted.values()) {
      if (h.loadOffset >= 0) continue;
      for (const c of h.coordinator.listCommittedOffsets()) {
        if (out.length >= max) return out;
        out.push({
          groupId: c.groupId,
          topic: c.topic,
          partition: c.partition,
          committedOffset: Number(c.committedOffset),
        });
      }
    }
    return out;
  }

  /** A COMMIT/ABORT marker of `producerId` on __consumer_offsets partition `partitionHandle` is durable. */
  onTxnMarker(partitionHandle: number, producerId: number, producerEpoch: number, committed: boolean): void {
    this.hosted.get(partitionHandle)?.coordinator.onTxnMarker(BigInt(producerId), producerEpoch, committed);
  }

  /** A GROUP ring message. */
  handle(bytes: Uint8Array, offset: number, length: number): void {
    const msg = decodeGroupRequest(bytes, offset, length);
    const frame = Buffer.from(msg.frame.buffer, msg.frame.byteOffset + 4, msg.frame.length - 4);
    const decoded = decodeRequest(frame);
    if (!decoded.ok) {
      this.o.warn(`group request ${msg.requestId}: undecodable: ${decoded.error.message}`);
      this.o.post(msg.requestId, new Uint8Array(0));
      return;
    }
    const { apiKey, apiVersion, body, header } = decoded.value;
    const respond = (response: unknown) => {
      this.o.post(msg.requestId, encodeResponse(apiKey, apiVersion, 0, response));
    };
    const h = this.hosted.get(msg.partitionHandle);
    if (h === undefined) {
      respond(errorResponse(apiKey, apiVersion, body, NOT_COORDINATOR));
      return;
    }
    const append = h.coordinator.handle(apiKey, apiVersion, body, Date.now(), respond, {
      clientId: header.clientId ?? '',
      clientHost: msg.clientHost,
    });
    this.write(msg.partitionHandle, h, append);
  }

  /** Loading slices and due timers. */
  turn(nowMs: number): void {
    for (const [handle, h] of this.hosted) {
      if (h.loadOffset >= 0) {
        this.loadSlice(handle, h, nowMs);
        continue;
      }
      const due = h.coordinator.nextDeadline();
      if (due !== null && due <= nowMs) this.write(handle, h, h.coordinator.tick(nowMs));
    }
  }

  private loadSlice(handle: number, h: Hosted, nowMs: number): void {
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
          const header = readBatchHeader(bytes, pos);
          if (header.isControl) {
            if (header.isTransactional && lastOffsetOf(bytes, pos) >= h.loadOffset) {
              const m = readEndTxnMarkerBatch(bytes, pos);
              h.coordinator.loadTxnMarker(BigInt(m.producerId), m.producerEpoch, m.type === CONTROL_TYPE_COMMIT);
            }
          } else {
            for (const rec of readRecords(bytes, pos)) {
              if (rec.offset < h.loadOffset || rec.key === null) continue;
              const key = Buffer.from(rec.key);
              const value = rec.value === null ? null : Buffer.from(rec.value);
              if (header.isTransactional) {
                h.coordinator.loadTxnRecord(BigInt(header.producerId), header.producerEpoch, key, value);
              } else h.coordinator.loadRecord(key, value);
            }
          }
          next = lastOffsetOf(bytes, pos) + 1;
          pos += size;
        }
        // minOneMessage (the default) returns the first batch whole however large, so a read always progresses.
        if (next === h.loadOffset) throw new Error(`no complete batch at offset ${h.loadOffset}`);
        h.loadOffset = next;
      }
    } catch (err) {
      this.o.warn(`__consumer_offsets (handle ${handle}): load failed at ${h.loadOffset}: ${(err as Error).message}`);
      h.coordinator.unload();
      this.hosted.delete(handle);
      return;
    }
    if (h.loadOffset < log.logEndOffset) return;
    h.loadOffset = -1;
    this.write(handle, h, h.coordinator.completeLoad(nowMs));
  }

  /** Appends one coordinator step's records as one batch and releases its responses once durable. */
  private write(handle: number, h: Hosted, append: Append | null): void {
    if (append === null) return;
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

  /** The log refused or lost an append: the coordinator is ahead of its log, so rebuild it from the log. */
  private retire(handle: number, h: Hosted, appendSeq: number, errorCode: string): void {
    this.o.warn(`__consumer_offsets (handle ${handle}): append failed (${errorCode}); reloading its coordinator`);
    h.coordinator.onAppendFailed(appendSeq);
    this.open(handle, h.log);
  }
}
