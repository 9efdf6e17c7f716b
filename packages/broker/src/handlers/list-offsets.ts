// ListOffsets (key 2) v0-10. Timestamp -1 -> highWatermark (lastStableOffset under read_committed, v2+), -2 ->
// logStartOffset, -3 -> the first record with the largest timestamp (KIP-734), -4 -> logStartOffset (earliest
// local, no tiering), -5 -> highWatermark (latest tiered, none); any other value -> the first offset whose record
// timestamp is >= it, or offset -1 / timestamp -1 when there is none. v0 answers in oldStyleOffsets (one offset).
// Unknown topics or partitions -> UNKNOWN_TOPIC_OR_PARTITION.
import type {
  ListOffsetsRequest,
  ListOffsetsResponseListOffsetsPartitionResponse,
  ListOffsetsResponseListOffsetsTopicResponse,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { ListOffsetsReply } from '../shard/shard-protocol.ts';
import type { Handler, RequestContext } from './handler.ts';

export const listOffsetsHandler: Handler = {
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 10,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as ListOffsetsRequest;
    const s = ctx.services;
    const v = ctx.apiVersion;
    const snapshot = s.metadata();
    const topics: ListOffsetsResponseListOffsetsTopicResponse[] = [];
    const waits: Array<Promise<void>> = [];
    for (const topic of req.topics) {
      const t = snapshot.topics.get(topic.name);
      const partitions: ListOffsetsResponseListOffsetsPartitionResponse[] = [];
      topics.push({ name: topic.name, partitions });
      for (const lp of topic.partitions) {
        const out: ListOffsetsResponseListOffsetsPartitionResponse = {
          partitionIndex: lp.partitionIndex,
          errorCode: ErrorCode.NONE,
          oldStyleOffsets: [],
          timestamp: -1n,
          offset: -1n,
          leaderEpoch: -1,
        };
        partitions.push(out);
        const p = t?.partitions[lp.partitionIndex];
        if (p === undefined || lp.partitionIndex < 0) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        const reply = s.shards.shards[p.shard].control<ListOffsetsReply>({
          op: 'listOffsets',
          partitionHandle: p.partitionHandle,
          timestamp: Number(lp.timestamp),
          isolation:
            req.replicaId !== -1 ? 'logEnd' : v >= 2 && req.isolationLevel === 1 ? 'readCommitted' : 'highWatermark',
        });
        waits.push(
          reply.then((r) => {
            out.errorCode = r.errorCode;
            if (r.errorCode !== ErrorCode.NONE) return;
            if (v === 0) {
              out.oldStyleOffsets = r.offset >= 0 && lp.maxNumOffsets > 0 ? [BigInt(r.offset)] : [];
              return;
            }
            out.offset = BigInt(r.offset);
            out.timestamp = BigInt(r.timestamp);
            if (v >= 4) out.leaderEpoch = r.offset >= 0 ? r.leaderEpoch : -1;
          }),
        );
      }
    }
    await Promise.all(waits);
    return { throttleTimeMs: 0, topics };
  },
};
