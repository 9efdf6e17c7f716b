// AddPartitionsToTxn (key 24) v0-5, answered by the transaction coordinator of the transactional id
// (transactions/txn-router.ts). v0-3: one transaction (the client's form). v4+ (KIP-890, the broker-to-broker
// batched form): the transactions are split by coordinator partition, sent to each, and the answers merged in the
// request's order. Transaction version 2 (implicit adds by Produce) is not done: see transaction-coordinator.ts.
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const addPartitionsToTxnHandler: Handler = {
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as AddPartitionsToTxnRequest;
    const router = ctx.services.transactions;
    if (ctx.apiVersion < 4) return router.forTransaction(ctx, req.v3AndBelowTransactionalId, req);
    const answers = await Promise.all(
      req.transactions.map(
        (t) =>
          router.forTransaction(ctx, t.transactionalId, {
            ...req,
            transactions: [t],
          }) as Promise<AddPartitionsToTxnResponse>,
      ),
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
