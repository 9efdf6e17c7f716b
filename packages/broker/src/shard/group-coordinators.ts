// The group coordinators of one shard: one GroupCoordinator (@sluice/coordinator) per __consumer_offsets partition
// the shard owns, hosted by a CoordinatorHost (coordinator-host.ts: loading, timers, appends released once durable).
//   open/close/turn    as CoordinatorHost; loading replays records with loadRecord, and a transactional batch's
//                      records and markers with loadTxnRecord / loadTxnMarker.
//   handle(GROUP msg)  decodes the request frame, calls handle(); each returned Append becomes ONE record batch;
//                      responses leave as GROUP completions (encoded frames), maybe much later (JoinGroup waits for
//                      the rebalance).
//   onTxnMarker()      a COMMIT/ABORT marker on the partition is durable (shard-worker.ts): TxnOffsetCommit's
//                      pending offsets apply or go. A TxnOffsetCommit Append is written as the producer's
//                      transactional batch; loading replays transactional batches and markers the same way.
// A failed append retires the coordinator (answers NOT_COORDINATOR) and a new one is rebuilt from the log.
// Owner: shard. Never touched from the main thread.
import { type CoordinatorConfig, errorResponse, GroupCoordinator } from '@sluice/coordinator';
import {
  CONTROL_TYPE_COMMIT,
  encodeResponse,
  lastOffsetOf,
  readEndTxnMarkerBatch,
  readRecords,
} from '@sluice/protocol';
import type { GroupCommit, PartitionLog } from '@sluice/storage';
import { CoordinatorHost, decodeCarriedRequest } from './coordinator-host.ts';
import { decodeGroupRequest } from './shard-protocol.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';
const NOT_COORDINATOR = 16;

export interface GroupCoordinatorsOptions {
  commits: GroupCommit;
  /** Posts a GROUP completion (the encoded response frame). */
  post: (requestId: number, frame: Uint8Array) => void;
  config?: Partial<CoordinatorConfig>;
  warn: (message: string) => void;
}

export class GroupCoordinators {
  private readonly host: CoordinatorHost<GroupCoordinator>;
  private readonly o: GroupCoordinatorsOptions;

  constructor(o: GroupCoordinatorsOptions) {
    this.o = o;
    this.host = new CoordinatorHost<GroupCoordinator>({
      topic: OFFSETS_TOPIC,
      commits: o.commits,
      warn: o.warn,
      create: () => new GroupCoordinator({ config: o.config }),
      replay: (c, bytes, pos, header, fromOffset) => {
        if (header.isControl) {
          if (header.isTransactional && lastOffsetOf(bytes, pos) >= fromOffset) {
            const m = readEndTxnMarkerBatch(bytes, pos);
            c.loadTxnMarker(BigInt(m.producerId), m.producerEpoch, m.type === CONTROL_TYPE_COMMIT);
          }
          return;
        }
        for (const rec of readRecords(bytes, pos)) {
          if (rec.offset < fromOffset || rec.key === null) continue;
          const key = Buffer.from(rec.key);
          const value = rec.value === null ? null : Buffer.from(rec.value);
          if (header.isTransactional) c.loadTxnRecord(BigInt(header.producerId), header.producerEpoch, key, value);
          else c.loadRecord(key, value);
        }
      },
    });
  }

  /** True while some coordinator is still replaying its log (the shard must not sleep). */
  get loading(): boolean {
    return this.host.loading;
  }

  /** Starts hosting the coordinator of a newly opened __consumer_offsets partition (loads over the next turns). */
  open(partitionHandle: number, log: PartitionLog): void {
    this.host.open(partitionHandle, log);
  }

  /** The partition is gone (deleted) or the shard stops: everything waiting gets NOT_COORDINATOR. */
  close(partitionHandle: number): void {
    this.host.close(partitionHandle);
  }

  closeAll(): void {
    this.host.closeAll();
  }

  /** Loading slices and due timers. */
  turn(nowMs: number): void {
    this.host.turn(nowMs);
  }

  /**
   * Committed offsets of every loaded coordinator's groups (metrics: consumer group lag), at most `max` entries so a
   * scrape's reply stays bounded.
   */
  committedOffsets(max: number): Array<{ groupId: string; topic: string; partition: number; committedOffset: number }> {
    const out: Array<{ groupId: string; topic: string; partition: number; committedOffset: number }> = [];
    for (const coordinator of this.host.loaded()) {
      for (const c of coordinator.listCommittedOffsets()) {
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
    this.host.coordinator(partitionHandle)?.onTxnMarker(BigInt(producerId), producerEpoch, committed);
  }

  /** A GROUP ring message. */
  handle(bytes: Uint8Array, offset: number, length: number): void {
    const msg = decodeGroupRequest(bytes, offset, length);
    const decoded = decodeCarriedRequest(msg.frame, 'group', msg.requestId, this.o.warn);
    if (decoded === null) {
      this.o.post(msg.requestId, new Uint8Array(0));
      return;
    }
    const { apiKey, apiVersion, body, header } = decoded;
    const respond = (response: unknown) => {
      this.o.post(msg.requestId, encodeResponse(apiKey, apiVersion, 0, response));
    };
    const coordinator = this.host.coordinator(msg.partitionHandle);
    if (coordinator === undefined) {
      respond(errorResponse(apiKey, apiVersion, body, NOT_COORDINATOR));
      return;
    }
    const append = coordinator.handle(apiKey, apiVersion, body, Date.now(), respond, {
      clientId: header.clientId ?? '',
      clientHost: msg.clientHost,
    });
    this.host.write(msg.partitionHandle, append);
  }
}
