// DescribeProducers (key 61) v0 (KIP-664): per requested partition, the active producers of its idempotent
// producer state as the owning shard holds it (PartitionLog.producerState, as Kafka's
// ReplicaManager.activeProducerState): producerId, producerEpoch, lastSequence (of the last retained batch, -1
// when none), lastTimestamp, coordinatorEpoch, currentTxnStartOffset (-1 when no transaction is open). A topic or
// partition this broker does not host -> UNKNOWN_TOPIC_OR_PARTITION (3) on that partition, the others answered.
import type {
  DescribeProducersRequest,
  DescribeProducersResponsePartitionResponse,
  DescribeProducersResponseTopicResponse,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { ActiveProducer } from '../shard/shard-protocol.ts';
import type { Handler, RequestContext } from './handler.ts';

export const describeProducersHandler: Handler = {
  apiKey: 61,
  name: 'DescribeProducers',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as DescribeProducersRequest;
    const s = ctx.services;
    const snapshot = s.metadata();
    const topics: DescribeProducersResponseTopicResponse[] = [];
    const waits: Array<Promise<void>> = [];
    for (const topic of req.topics) {
      const t = snapshot.topics.get(topic.name);
      const partitions: DescribeProducersResponsePartitionResponse[] = [];
      topics.push({ name: topic.name, partitions });
      for (const index of topic.partitionIndexes) {
        const out: DescribeProducersResponsePartitionResponse = {
          partitionIndex: index,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          activeProducers: [],
        };
        partitions.push(out);
        const p = index < 0 ? undefined : t?.partitions[index];
        if (p === undefined) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        // Dispatch every partition's read before awaiting any.
        const reply = s.shards.shards[p.shard].control<{ errorCode: number; producers?: ActiveProducer[] }>({
          op: 'describeProducers',
          partitionHandle: p.partitionHandle,
        });
        waits.push(
          reply.then((r) => {
            out.errorCode = r.errorCode;
            out.activeProducers = (r.producers ?? []).map((e) => ({
              producerId: BigInt(e.producerId),
              producerEpoch: e.producerEpoch,
              lastSequence: e.lastSequence,
              lastTimestamp: BigInt(e.lastTimestamp),
              coordinatorEpoch: e.coordinatorEpoch,
              currentTxnStartOffset: BigInt(e.currentTxnStartOffset),
            }));
          }),
        );
      }
    }
    await Promise.all(waits);
    return { throttleTimeMs: 0, topics };
  },
};
