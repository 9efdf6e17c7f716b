// DescribeTransactions (key 65) v0: the ids are split by coordinator partition, each coordinator describes its own,
// and the answers come back in the request's order. No __transaction_state yet: every id is unknown
// (TRANSACTIONAL_ID_NOT_FOUND from the coordinator, which is created on first use here).
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const describeTransactionsHandler: Handler = {
  apiKey: 65,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx: RequestContext, request: unknown): Promise<DescribeTransactionsResponse> {
    const req = request as DescribeTransactionsRequest;
    const answers = await Promise.all(
      req.transactionalIds.map(
        (id) =>
          ctx.services.transactions.forTransaction(ctx, id, {
            ...req,
            transactionalIds: [id],
          }) as Promise<DescribeTransactionsResponse>,
      ),
    );
    return { throttleTimeMs: 0, transactionStates: answers.flatMap((a) => a.transactionStates) };
  },
};
