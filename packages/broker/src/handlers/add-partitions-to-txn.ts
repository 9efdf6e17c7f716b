// AddPartitionsToTxn (key 24) v0-5, answered by the transaction coordinator of the transactional id
// (transactions/txn-router.ts). v0-3: one transaction (the client's form). v4+ (KIP-890, the broker-to-broker
// batched form): the transactions are split by coordinator partition, sent to each, and the answers merged in the
// request's order. A partition missing from the metadata -> UNKNOWN_TOPIC_OR_PARTITION and the rest of that
// transaction OPERATION_NOT_ATTEMPTED, answered here (the coordinator's shard does not see the metadata), as
// Kafka's coordinator does. Transaction version 2 (implicit adds by Produce) is not done: see transaction-coordinator.ts.
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

type Topics = AddPartitionsToTxnRequest['v3AndBelowTopics'];
type TopicResults = AddPartitionsToTxnResponse['resultsByTopicV3AndBelow'];

/** Per-partition results when some partition does not exist; null when all exist. */
function missingPartitions(ctx: RequestContext, topics: Topics): TopicResults | null {
  const snapshot = ctx.services.metadata();
  const exists = (t: string, p: number) => p >= 0 && snapshot.topics.get(t)?.partitions[p] !== undefined;
  if (topics.every((t) => t.partitions.every((p) => exists(t.name, p)))) return null;
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({
      partitionIndex: p,
      partitionErrorCode: exists(t.name, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    })),
  }));
}

export const addPartitionsToTxnHandler: Handler = {
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as AddPartitionsToTxnRequest;
    const router = ctx.services.transactions;
    if (ctx.apiVersion < 4) {
      const missing = missingPartitions(ctx, req.v3AndBelowTopics);
      if (missing === null) return router.forTransaction(ctx, req.v3AndBelowTransactionalId, req);
      return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [], resultsByTopicV3AndBelow: missing };
    }
    const answers = await Promise.all(
      req.transactions.map((t) => {
        const missing = missingPartitions(ctx, t.topics);
        if (missing !== null) {
          const answer: AddPartitionsToTxnResponse = {
            throttleTimeMs: 0,
            errorCode: 0,
            resultsByTransaction: [{ transactionalId: t.transactionalId, topicResults: missing }],
            resultsByTopicV3AndBelow: [],
          };
          return Promise.resolve(answer);
        }
        return router.forTransaction(ctx, t.transactionalId, {
          ...req,
          transactions: [t],
        }) as Promise<AddPartitionsToTxnResponse>;
      }),
    );
    const out: AddPartitionsToTxnResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      resultsByTransaction: [],
      resultsByTopicV3AndBelow: [],
    };
    for (const a of answers) {
      if (a.errorCode !== 0 && out.errorCode === 0) out.errorCode = a.errorCode;
      out.resultsByTransaction.push(...a.resultsByTransaction);
    }
    return out;
  },
};
