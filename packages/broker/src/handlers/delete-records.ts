// DeleteRecords (key 21) v0-2. Advances each partition's logStartOffset to `offset` (-1 = the highWatermark):
// records below it are no longer readable (Fetch -> OFFSET_OUT_OF_RANGE) and whole segments below it go at the next
// retention check. An offset above the highWatermark (or below 0 other than -1) -> OFFSET_OUT_OF_RANGE; an offset at
// or below the current logStartOffset changes nothing and answers the current one. lowWatermark = the partition's
// logStartOffset after the call (-1 on error). Internal topics (__consumer_offsets, __transaction_state) ->
// INVALID_TOPIC_EXCEPTION, as Kafka refuses them. The new logStartOffsets are checkpointed (fsync'd) before the
// response, so an acknowledged delete survives a crash.
import type {
  DeleteRecordsRequest,
  DeleteRecordsResponseDeleteRecordsPartitionResult,
  DeleteRecordsResponseDeleteRecordsTopicResult,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const deleteRecordsHandler: Handler = {
  apiKey: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as DeleteRecordsRequest;
    const s = ctx.services;
    const snapshot = s.metadata();
    const topics: DeleteRecordsResponseDeleteRecordsTopicResult[] = [];
    const changed = new Map<number, number>();
    const waits: Array<Promise<void>> = [];
    for (const topic of req.topics) {
      const t = snapshot.topics.get(topic.name);
      const partitions: DeleteRecordsResponseDeleteRecordsPartitionResult[] = [];
      topics.push({ name: topic.name, partitions });
      for (const dp of topic.partitions) {
        const out: DeleteRecordsResponseDeleteRecordsPartitionResult = {
          partitionIndex: dp.partitionIndex,
          lowWatermark: -1n,
          errorCode: ErrorCode.NONE,
        };
        partitions.push(out);
        const p = t?.partitions[dp.partitionIndex];
        if (t === undefined || p === undefined || dp.partitionIndex < 0) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        if (t.isInternal) {
          out.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
          continue;
        }
        const offset = Number(dp.offset);
        if (offset < -1) {
          out.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
          continue;
        }
        const reply = s.shards.shards[p.shard].control<{ errorCode: number; lowWatermark: number }>({
          op: 'deleteRecords',
          partitionHandle: p.partitionHandle,
          offset,
        });
        waits.push(
          reply.then((r) => {
            out.errorCode = r.errorCode;
            if (r.errorCode !== ErrorCode.NONE) return;
            out.lowWatermark = BigInt(r.lowWatermark);
            changed.set(p.partitionHandle, r.lowWatermark);
          }),
        );
      }
    }
    await Promise.all(waits);
    if (changed.size > 0) {
      try {
        s.saveLogStartOffsets(changed);
      } catch {
        // Not durable: the client must not believe it is (the shard's logStartOffset moved all the same).
        for (const t of topics)
          for (const p of t.partitions) if (p.errorCode === 0) p.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
      }
    }
    return { throttleTimeMs: 0, topics };
  },
};
