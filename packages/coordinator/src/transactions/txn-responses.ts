// Response bodies of the transaction APIs (generated types at every version), the error form of each, and the two
// read-only APIs: ListTransactions (key 66) v0-1 and DescribeTransactions (key 65) v0.
//   ListTransactions: state filters by name (unknown names come back in unknownStateFilters and match nothing),
//     producer id filters, v1 durationFilter >= 0 keeps transactions started at least that many ms ago. A broker
//     with several __transaction_state partitions merges the answers of its coordinators.
//   DescribeTransactions: per id TRANSACTIONAL_ID_NOT_FOUND when unknown, else its state, timeout, start time,
//     producer id/epoch and partitions.
import type {
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  EndTxnResponse,
  InitProducerIdResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
} from '@sluice/protocol';
import { TxnErrorCode } from './txn-errors.ts';
import { partitionsByTopic, type TransactionMetadata, TXN_STATE_NAMES, txnStateName } from './txn-metadata.ts';

export const TxnApiKey = {
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  DescribeTransactions: 65,
  ListTransactions: 66,
} as const;

export function initProducerIdResponse(
  errorCode: number,
  producerId = -1n,
  producerEpoch = -1,
): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

export function endTxnResponse(errorCode: number, producerId = -1n, producerEpoch = -1): EndTxnResponse {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

export function addOffsetsToTxnResponse(errorCode: number): AddOffsetsToTxnResponse {
  return { throttleTimeMs: 0, errorCode };
}

/** Every partition of one client-form (v0-3) AddPartitionsToTxn with its error. */
export function topicResults(
  topics: AddPartitionsToTxnRequest['v3AndBelowTopics'],
  codeOf: (topic: string, partition: number) => number,
): AddPartitionsToTxnResponse['resultsByTopicV3AndBelow'] {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codeOf(t.name, p) })),
  }));
}

/** The response of any transaction API carrying one error everywhere (loading, not the coordinator, bad input). */
export function txnErrorResponse(apiKey: number, apiVersion: number, request: unknown, code: number): unknown {
  switch (apiKey) {
    case TxnApiKey.InitProducerId:
      return initProducerIdResponse(code);
    case TxnApiKey.EndTxn:
      return endTxnResponse(code);
    case TxnApiKey.AddOffsetsToTxn:
      return addOffsetsToTxnResponse(code);
    case TxnApiKey.AddPartitionsToTxn: {
      const r = request as AddPartitionsToTxnRequest;
      const out: AddPartitionsToTxnResponse = {
        throttleTimeMs: 0,
        errorCode: apiVersion >= 4 ? code : 0,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow: [],
      };
      if (apiVersion < 4) out.resultsByTopicV3AndBelow = topicResults(r.v3AndBelowTopics, () => code);
      else
        out.resultsByTransaction = r.transactions.map((t) => ({
          transactionalId: t.transactionalId,
          topicResults: topicResults(t.topics, () => code),
        }));
      return out;
    }
    case TxnApiKey.ListTransactions:
      return { throttleTimeMs: 0, errorCode: code, unknownStateFilters: [], transactionStates: [] };
    case TxnApiKey.DescribeTransactions:
      return {
        throttleTimeMs: 0,
        transactionStates: (request as DescribeTransactionsRequest).transactionalIds.map((id) =>
          emptyDescription(id, code),
        ),
      };
    default:
      throw new Error(`api key ${apiKey} is not a transaction coordinator API`);
  }
}

function emptyDescription(transactionalId: string, errorCode: number) {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  };
}

export function listTransactions(
  txns: Iterable<TransactionMetadata>,
  req: ListTransactionsRequest,
  apiVersion: number,
  nowMs: number,
): ListTransactionsResponse {
  const unknownStateFilters = req.stateFilters.filter((s) => !TXN_STATE_NAMES.includes(s));
  const states = new Set(req.stateFilters);
  const producers = new Set(req.producerIdFilters);
  const duration = apiVersion >= 1 ? Number(req.durationFilter) : -1;
  const out: ListTransactionsResponse = {
    throttleTimeMs: 0,
    errorCode: TxnErrorCode.NONE,
    unknownStateFilters,
    transactionStates: [],
  };
  // Every filter given was unknown: nothing can match (Kafka answers an empty list, not everything).
  if (unknownStateFilters.length > 0 && unknownStateFilters.length === req.stateFilters.length) return out;
  for (const t of txns) {
    const name = txnStateName(t.state);
    if (states.size > 0 && !states.has(name)) continue;
    if (producers.size > 0 && !producers.has(t.producerId)) continue;
    if (duration >= 0 && (t.txnStartTimestampMs < 0 || nowMs - t.txnStartTimestampMs < duration)) continue;
    out.transactionStates.push({
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      transactionState: name,
    });
  }
  out.transactionStates.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
  return out;
}

export function describeTransactions(
  txns: Map<string, TransactionMetadata>,
  req: DescribeTransactionsRequest,
): DescribeTransactionsResponse {
  return {
    throttleTimeMs: 0,
    transactionStates: req.transactionalIds.map((id) => {
      const t = txns.get(id);
      if (t === undefined) return emptyDescription(id, TxnErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      return {
        errorCode: TxnErrorCode.NONE,
        transactionalId: id,
        transactionState: txnStateName(t.state),
        transactionTimeoutMs: t.txnTimeoutMs,
        transactionStartTimeMs: BigInt(t.txnStartTimestampMs),
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        topics: partitionsByTopic(t.partitions),
      };
    }),
  };
}
