// ListTransactions (key 66) v0-1: asks the coordinator of every __transaction_state partition (filters applied by
// each) and merges; the first error of any (e.g. COORDINATOR_LOAD_IN_PROGRESS) is the answer's error code, as
// ListGroups. No __transaction_state yet: no transactions.
import type { ListTransactionsResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const listTransactionsHandler: Handler = {
  apiKey: 66,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx: RequestContext, request: unknown): Promise<ListTransactionsResponse> {
    const router = ctx.services.transactions;
    const topic = router.txnTopic();
    const out: ListTransactionsResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: [],
      transactionStates: [],
    };
    if (topic === undefined) return out;
    const answers = await Promise.all(
      topic.partitions.map((p) => router.toPartition(ctx, p, request) as Promise<ListTransactionsResponse>),
    );
    for (const a of answers) {
      if (a.errorCode !== ErrorCode.NONE && out.errorCode === ErrorCode.NONE) out.errorCode = a.errorCode;
      out.transactionStates.push(...a.transactionStates);
    }
    out.unknownStateFilters = answers[0]?.unknownStateFilters ?? [];
    return out;
  },
};
