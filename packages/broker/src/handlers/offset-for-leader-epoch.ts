// OffsetForLeaderEpoch (key 23) v0-4. A single node is the leader of every partition in leader epoch 0 forever:
// batches are stamped partitionLeaderEpoch 0 and Metadata/ListOffsets report 0. For a requested epoch
// (Kafka's LeaderEpochFileCache.endOffsetFor): the latest epoch -> (epoch, logEndOffset); newer than the latest, or
// -1 (undefined) -> (-1, -1); older than the first -> (requested, the first epoch's start, here logStartOffset).
// currentLeaderEpoch (v2+, -1 = unchecked): below ours -> FENCED_LEADER_EPOCH, above -> UNKNOWN_LEADER_EPOCH.
// Unknown topics or partitions -> UNKNOWN_TOPIC_OR_PARTITION. v0 has no leaderEpoch in the answer.
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponseEpochEndOffset,
  OffsetForLeaderEpochResponseOffsetForLeaderTopicResult,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { ListOffsetsReply } from '../shard/shard-protocol.ts';
import type { Handler, RequestContext } from './handler.ts';

export const offsetForLeaderEpochHandler: Handler = {
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as OffsetForLeaderEpochRequest;
    const s = ctx.services;
    const v = ctx.apiVersion;
    const snapshot = s.metadata();
    const topics: OffsetForLeaderEpochResponseOffsetForLeaderTopicResult[] = [];
    const waits: Array<Promise<void>> = [];
    for (const topic of req.topics) {
      const t = snapshot.topics.get(topic.topic);
      const partitions: OffsetForLeaderEpochResponseEpochEndOffset[] = [];
      topics.push({ topic: topic.topic, partitions });
      for (const rp of topic.partitions) {
        const out: OffsetForLeaderEpochResponseEpochEndOffset = {
          errorCode: ErrorCode.NONE,
          partition: rp.partition,
          leaderEpoch: -1,
          endOffset: -1n,
        };
        partitions.push(out);
        const p = t?.partitions[rp.partition];
        if (p === undefined || rp.partition < 0) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        const logEnd = s.shards.shards[p.shard].control<ListOffsetsReply>({
          op: 'listOffsets',
          partitionHandle: p.partitionHandle,
          timestamp: -1,
          isolation: 'logEnd',
        });
        const logStart = s.shards.shards[p.shard].control<ListOffsetsReply>({
          op: 'listOffsets',
          partitionHandle: p.partitionHandle,
          timestamp: -2,
          isolation: 'logEnd',
        });
        waits.push(
          Promise.all([logEnd, logStart]).then(([end, start]) => {
            if (end.errorCode !== ErrorCode.NONE) {
              out.errorCode = end.errorCode;
              return;
            }
            // A log always has epoch 0 once opened by this broker (shard-worker.ts); -1 only for a log never written.
            const epoch = Math.max(end.leaderEpoch, 0);
            const current = v >= 2 ? rp.currentLeaderEpoch : -1;
            if (current !== -1 && current < epoch) {
              out.errorCode = ErrorCode.FENCED_LEADER_EPOCH;
              return;
            }
            if (current > epoch) {
              out.errorCode = ErrorCode.UNKNOWN_LEADER_EPOCH;
              return;
            }
            let found: [number, number] = [-1, -1];
            if (rp.leaderEpoch === epoch) found = [epoch, end.offset];
            else if (rp.leaderEpoch < epoch && rp.leaderEpoch !== -1) found = [rp.leaderEpoch, start.offset];
            out.endOffset = BigInt(found[1]);
            if (v >= 1) out.leaderEpoch = found[0];
          }),
        );
      }
    }
    await Promise.all(waits);
    return { throttleTimeMs: 0, topics };
  },
};
