// The transaction coordinators of one shard: one TransactionCoordinator (@sluice/coordinator) per
// __transaction_state partition the shard owns (ARCHITECTURE.md §6), driven as group-coordinators.ts drives its
// GroupCoordinators:
//   open(handle, log)  the coordinator starts loading; every loop turn replays up to LOAD_BUDGET_BYTES of the log,
//                      then completeLoad. Requests meanwhile get COORDINATOR_LOAD_IN_PROGRESS.
//   handle(TXN msg)    decodes the request frame, calls handle(); each returned TxnAppend becomes ONE record batch
//                      (origin 'coordinator'); onRecordsDurable runs from the group commit after the fdatasync;
//                      responses leave as GROUP completions (encoded frames).
//   turn(now)          loading slices and timers (tick at nextDeadline: timed-out transactions abort).
//   markersWritten()   the main thread reports that every marker of a transaction is durable.
// Producer ids: allocateProducerId must answer synchronously here while ProducerIdManager (which persists blocks)
// lives on the main thread. The main thread grants one fresh id inside every TXN message that carries an
// InitProducerId (ring order: it arrives with the request that may need it); ids not used (a bump of an existing
// id's epoch needs none) stay in the shard's pool for later calls. InitProducerId allocates at most one id per call,
// and nothing else allocates, so the pool is never empty when an allocation happens.
// Markers: writeMarkers posts the request to the main thread (TxnMarkersMessage), which appends them on the owning
// shards (this one included) and answers with a txnMarkersWritten CONTROL.
// Owner: shard. Never touched from the main thread.
import {
  TransactionCoordinator,
  type TxnAppend,
  type TxnCoordinatorConfig,
  type TxnMarkerRequest,
  txnErrorResponse,
} from '@sluice/coordinator/transactions/index.ts';
import {
  batchSizeAt,
  buildRecordBatch,
  decodeRequest,
  encodeResponse,
  LOG_OVERHEAD,
  lastOffsetOf,
  readBatchHeader,
  readRecords,
} from '@sluice/protocol';
import type { GroupCommit, PartitionLog } from '@sluice/storage';
import { decodeTxnRequest, type TxnMarkersMessage } from './shard-protocol.ts';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
// 4 MiB replayed per loop turn (a few ms), as group-coordinators.ts.
const LOAD_BUDGET_BYTES = 4 * 1024 * 1024;
const NOT_COORDINATOR = 16;
const LEADER_EPOCH = 0;

interface Hosted {
  log: PartitionLog;
  coordinator: TransactionCoordinator;
  loadOffset: number;
}

export interface TxnCoordinatorsOptions {
  commits: GroupCommit;
  post: (requestId: number, frame: Uint8Array) => void;
  postMarkers: (message: TxnMarkersMessage) => void;
  config?: Partial<TxnCoordinatorConfig>;
  warn: (message: string) => void;
}

export class TxnCoordinators {
  private readonly hosted = new Map<number, Hosted>();
  private readonly o: TxnCoordinatorsOptions;
  /** Producer ids granted by the main thread and not yet used. */
  private readonly producerIds: bigint[] = [];

  constructor(o: TxnCoordinatorsOptions) {
    this.o = o;
  }

  get loading(): boolean {
    for (const h of this.hosted.values()) if (h.loadOffset >= 0) return true;
    return false;
  }

  open(partitionHandle: number, log: PartitionLog): void {
    this.hosted.get(partitionHandle)?.coordinator.unload();
    const coordinator = new TransactionCoordinator({
      config: this.o.config,
      allocateProducerId: () => {
        const id = this.producerIds.shift();
        // Cannot happen (see the header); a throw fails this one request (NOT_COORDINATOR), never reuses an id.
        if (id === undefined) throw new Error('no producer id granted');
        return id;
      },
      writeMarkers: (r) => this.postMarkers(partitionHandle, r),
    });
    this.hosted.set(partitionHandle, { log, coordinator, loadOffset: log.logStartOffset });
  }

  close(partitionHandle: number): void {
    this.hosted.get(partitionHandle)?.coordinator.unload();
    this.hosted.delete(partitionHandle);
  }

  closeAll(): void {
    for (const handle of [...this.hosted.keys()]) this.close(handle);
  }

  /** A TXN ring message. */
  handle(bytes: Uint8Array, offset: number, length: number): void {
    const msg = decodeTxnRequest(bytes, offset, length);
    if (msg.grantedProducerId >= 0) this.producerIds.push(BigInt(msg.grantedProducerId));
    const frame = Buffer.from(msg.frame.buffer, msg.frame.byteOffset + 4, msg.frame.length - 4);
    const decoded = decodeRequest(frame);
    if (!decoded.ok) {
      this.o.warn(`transaction request ${msg.requestId}: undecodable: ${decoded.error.message}`);
      this.o.post(msg.requestId, new Uint8Array(0));
      return;
    }
    const { apiKey, apiVersion, body } = decoded.value;
    const respond = (response: unknown) => this.o.post(msg.requestId, encodeResponse(apiKey, apiVersion, 0, response));
    const h = this.hosted.get(msg.partitionHandle);
    if (h === undefined) {
      respond(txnErrorResponse(apiKey, apiVersion, body, NOT_COORDINATOR));
      return;
    }
    this.write(msg.partitionHandle, h, h.coordinator.handle(apiKey, apiVersion, body, Date.now(), respond));
  }

  markersWritten(partitionHandle: number, transactionalId: string, producerId: number, producerEpoch: number): void {
    const h = this.hosted.get(partitionHandle);
    if (h === undefined) return;
    const append = h.coordinator.markersWritten(transactionalId, BigInt(producerId), producerEpoch, Date.now());
    this.write(partitionHandle, h, append);
  }

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

  private postMarkers(coordinatorHandle: number, r: TxnMarkerRequest): void {
    this.o.postMarkers({
      txnMarkers: {
        coordinatorHandle,
        transactionalId: r.transactionalId,
        marker: {
          producerId: Number(r.producerId),
          producerEpoch: r.producerEpoch,
          coordinatorEpoch: r.coordinatorEpoch,
          committed: r.committed,
        },
        partitions: r.partitions,
      },
    });
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
          if (pos + size > bytes.length) break;
          if (!readBatchHeader(bytes, pos).isControl) {
            for (const rec of readRecords(bytes, pos)) {
              if (rec.offset < h.loadOffset || rec.key === null) continue;
              h.coordinator.loadRecord(Buffer.from(rec.key), rec.value === null ? null : Buffer.from(rec.value));
            }
          }
          next = lastOffsetOf(bytes, pos) + 1;
          pos += size;
        }
        if (next === h.loadOffset) throw new Error(`no complete batch at offset ${h.loadOffset}`);
        h.loadOffset = next;
      }
    } catch (err) {
      this.o.warn(`${TRANSACTION_STATE_TOPIC} (handle ${handle}): load failed at ${h.loadOffset}: ${err}`);
      h.coordinator.unload();
      this.hosted.delete(handle);
      return;
    }
    if (h.loadOffset < log.logEndOffset) return;
    h.loadOffset = -1;
    this.write(handle, h, h.coordinator.completeLoad(nowMs));
  }

  private write(handle: number, h: Hosted, append: TxnAppend | null): void {
    if (append === null) return;
    const c = h.coordinator;
    const batch = buildRecordBatch({
      baseTimestamp: Date.now(),
      records: append.records.map((r) => ({ key: r.key, value: r.value })),
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

  private retire(handle: number, h: Hosted, appendSeq: number, errorCode: string): void {
    this.o.warn(`${TRANSACTION_STATE_TOPIC} (handle ${handle}): append failed (${errorCode}); reloading`);
    h.coordinator.onAppendFailed(appendSeq);
    this.open(handle, h.log);
  }
}
