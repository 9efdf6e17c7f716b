// The transaction coordinators of one shard: one TransactionCoordinator (@sluice/coordinator) per
// __transaction_state partition the shard owns, hosted by a CoordinatorHost (coordinator-host.ts: loading, timers
// (timed-out transactions abort at nextDeadline), appends released once durable), as group-coordinators.ts does:
//   handle(TXN msg)    decodes the request frame, calls handle(); each returned TxnAppend becomes ONE record batch;
//                      responses leave as GROUP completions (encoded frames).
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
  type TxnCoordinatorConfig,
  type TxnMarkerRequest,
  txnErrorResponse,
} from '@sluice/coordinator/transactions/index.ts';
import { encodeResponse, readRecords } from '@sluice/protocol';
import type { GroupCommit, PartitionLog } from '@sluice/storage';
import { CoordinatorHost, decodeCarriedRequest } from './coordinator-host.ts';
import { decodeTxnRequest, type TxnMarkersMessage } from './shard-protocol.ts';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const NOT_COORDINATOR = 16;

export interface TxnCoordinatorsOptions {
  commits: GroupCommit;
  post: (requestId: number, frame: Uint8Array) => void;
  postMarkers: (message: TxnMarkersMessage) => void;
  config?: Partial<TxnCoordinatorConfig>;
  warn: (message: string) => void;
}

export class TxnCoordinators {
  private readonly host: CoordinatorHost<TransactionCoordinator>;
  private readonly o: TxnCoordinatorsOptions;
  /** Producer ids granted by the main thread and not yet used. */
  private readonly producerIds: bigint[] = [];

  constructor(o: TxnCoordinatorsOptions) {
    this.o = o;
    this.host = new CoordinatorHost<TransactionCoordinator>({
      topic: TRANSACTION_STATE_TOPIC,
      commits: o.commits,
      warn: o.warn,
      create: (handle) =>
        new TransactionCoordinator({
          config: o.config,
          allocateProducerId: () => {
            const id = this.producerIds.shift();
            // Cannot happen (see the header); a throw fails this one request (NOT_COORDINATOR), never reuses an id.
            if (id === undefined) throw new Error('no producer id granted');
            return id;
          },
          writeMarkers: (r) => this.postMarkers(handle, r),
        }),
      replay: (c, bytes, pos, header, fromOffset) => {
        if (header.isControl) return;
        for (const rec of readRecords(bytes, pos)) {
          if (rec.offset < fromOffset || rec.key === null) continue;
          c.loadRecord(Buffer.from(rec.key), rec.value === null ? null : Buffer.from(rec.value));
        }
      },
    });
  }

  get loading(): boolean {
    return this.host.loading;
  }

  open(partitionHandle: number, log: PartitionLog): void {
    this.host.open(partitionHandle, log);
  }

  close(partitionHandle: number): void {
    this.host.close(partitionHandle);
  }

  closeAll(): void {
    this.host.closeAll();
  }

  turn(nowMs: number): void {
    this.host.turn(nowMs);
  }

  /** A TXN ring message. */
  handle(bytes: Uint8Array, offset: number, length: number): void {
    const msg = decodeTxnRequest(bytes, offset, length);
    if (msg.grantedProducerId >= 0) this.producerIds.push(BigInt(msg.grantedProducerId));
    const decoded = decodeCarriedRequest(msg.frame, 'transaction', msg.requestId, this.o.warn);
    if (decoded === null) {
      this.o.post(msg.requestId, new Uint8Array(0));
      return;
    }
    const { apiKey, apiVersion, body } = decoded;
    const respond = (response: unknown) => this.o.post(msg.requestId, encodeResponse(apiKey, apiVersion, 0, response));
    const coordinator = this.host.coordinator(msg.partitionHandle);
    if (coordinator === undefined) {
      respond(txnErrorResponse(apiKey, apiVersion, body, NOT_COORDINATOR));
      return;
    }
    this.host.write(msg.partitionHandle, coordinator.handle(apiKey, apiVersion, body, Date.now(), respond));
  }

  markersWritten(partitionHandle: number, transactionalId: string, producerId: number, producerEpoch: number): void {
    const coordinator = this.host.coordinator(partitionHandle);
    if (coordinator === undefined) return;
    this.host.write(
      partitionHandle,
      coordinator.markersWritten(transactionalId, BigInt(producerId), producerEpoch, Date.now()),
    );
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
}
