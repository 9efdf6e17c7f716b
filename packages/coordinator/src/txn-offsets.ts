// TxnOffsetCommit (key 28) v0-4 and the transactional offsets of one __consumer_offsets partition (KIP-98,
// Kafka's GroupMetadataManager pendingTransactionalOffsetCommits):
//   - a TxnOffsetCommit writes its offset commit records as ONE transactional batch of the producer (producerId,
//     producerEpoch, baseSequence -1; the Append carries them) and keeps the offsets PENDING per producer id: not
//     visible to OffsetFetch (requireStable answers UNSTABLE_OFFSET_COMMIT for them) until
//   - the transaction's marker lands on this partition (the broker calls onTxnMarker once it is durable): COMMIT
//     materializes the producer's pending offsets into their groups (the records are already in the log), ABORT
//     drops them. Loading replays the same: transactional batches -> pending, control batches -> commit/abort.
//   - validation, as Kafka's validateTransactionalOffsetCommit: an unknown group with generation >= 0 ->
//     ILLEGAL_GENERATION; a member id, instance id or generation given -> checked against the group (unlike
//     OffsetCommit, generation -1 without a member is accepted in every state); a producer epoch older than the
//     last seen on this partition for that producer -> INVALID_PRODUCER_EPOCH (the log would refuse the batch).
// Owner: shard.
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '@sluice/protocol';
import { ClassicGroup, type OffsetAndMetadata } from './classic-group.ts';
import { ErrorCode } from './error-codes.ts';
import { decodeRecord, offsetCommitRecord } from './records.ts';
import type { Runtime } from './runtime.ts';

const INVALID_PRODUCER_EPOCH = 47;

interface PendingOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: OffsetAndMetadata;
}

export class TxnOffsets {
  /** producerId -> "group\0topic\0partition" -> the pending offset (a later commit of the same key wins). */
  private readonly pending = new Map<bigint, Map<string, PendingOffset>>();
  /** The last producer epoch seen on this partition, per producer id. */
  private readonly epochs = new Map<bigint, number>();

  isPending(groupId: string, topic: string, partition: number): boolean {
    const key = `${groupId}\0${topic}\0${partition}`;
    for (const m of this.pending.values()) if (m.has(key)) return true;
    return false;
  }

  add(producerId: bigint, producerEpoch: number, o: PendingOffset): void {
    this.epochs.set(producerId, Math.max(producerEpoch, this.epochs.get(producerId) ?? -1));
    let m = this.pending.get(producerId);
    if (m === undefined) {
      m = new Map();
      this.pending.set(producerId, m);
    }
    m.set(`${o.groupId}\0${o.topic}\0${o.partition}`, o);
  }

  /** A replayed transactional record (loading). */
  loadRecord(producerId: bigint, producerEpoch: number, key: Buffer, value: Buffer | null): void {
    const r = decodeRecord(key, value);
    if (r.type !== 'offset' || r.value === null) return;
    this.add(producerId, producerEpoch, { groupId: r.group, topic: r.topic, partition: r.partition, offset: r.value });
  }

  /** The producer's transaction ended on this partition: its pending offsets go into their groups, or away. */
  complete(groups: Map<string, ClassicGroup>, producerId: bigint, producerEpoch: number, committed: boolean): void {
    this.epochs.set(producerId, Math.max(producerEpoch, this.epochs.get(producerId) ?? -1));
    const m = this.pending.get(producerId);
    this.pending.delete(producerId);
    if (m === undefined || !committed) return;
    for (const o of m.values()) {
      let group = groups.get(o.groupId);
      if (group === undefined) {
        group = new ClassicGroup(o.groupId, -1);
        groups.set(o.groupId, group);
      }
      let partitions = group.offsets.get(o.topic);
      if (partitions === undefined) {
        partitions = new Map();
        group.offsets.set(o.topic, partitions);
      }
      partitions.set(o.partition, o.offset);
    }
  }

  commit(rt: Runtime, req: TxnOffsetCommitRequest, apiVersion: number): TxnOffsetCommitResponse {
    const answer = (code: (p: number) => number): TxnOffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(p.partitionIndex) })),
      })),
    });
    const generationId = apiVersion >= 3 ? req.generationId : -1;
    const memberId = apiVersion >= 3 ? req.memberId : '';
    const instanceId = apiVersion >= 3 ? req.groupInstanceId : null;
    if ((this.epochs.get(req.producerId) ?? -1) > req.producerEpoch) return answer(() => INVALID_PRODUCER_EPOCH);
    const group = rt.groups.get(req.groupId);
    if (group === undefined) {
      if (generationId >= 0) return answer(() => ErrorCode.ILLEGAL_GENERATION);
    } else {
      if (group.state === 'Dead') return answer(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
      if (generationId >= 0 || memberId !== '' || instanceId !== null) {
        const memberError = group.validateMember(memberId, instanceId);
        if (memberError !== ErrorCode.NONE) return answer(() => memberError);
        if (generationId !== group.generationId) return answer(() => ErrorCode.ILLEGAL_GENERATION);
      }
    }
    const tooLarge = new Set<string>();
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(metadata) > rt.config.offsetMetadataMaxBytes) {
          tooLarge.add(`${t.name}\0${p.partitionIndex}`);
          continue;
        }
        const offset: OffsetAndMetadata = {
          committedOffset: p.committedOffset,
          committedLeaderEpoch: apiVersion >= 2 ? p.committedLeaderEpoch : -1,
          metadata,
          commitTimestampMs: rt.now,
          expireTimestampMs: -1,
        };
        this.add(req.producerId, req.producerEpoch, {
          groupId: req.groupId,
          topic: t.name,
          partition: p.partitionIndex,
          offset,
        });
        rt.append(offsetCommitRecord(req.groupId, t.name, p.partitionIndex, offset));
      }
    }
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const code = tooLarge.has(`${t.name}\0${p.partitionIndex}`)
            ? ErrorCode.OFFSET_METADATA_TOO_LARGE
            : ErrorCode.NONE;
          return { partitionIndex: p.partitionIndex, errorCode: code };
        }),
      })),
    };
  }
}
