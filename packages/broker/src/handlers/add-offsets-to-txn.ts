// AddOffsetsToTxn (key 25) v0-4, answered by the transaction coordinator of the transactional id
// (transactions/txn-router.ts): adds the group's __consumer_offsets partition to the transaction. The topic is
// created first if needed, so the transaction's marker has a partition to land on.
import type { AddOffsetsToTxnRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const addOffsetsToTxnHandler: Handler = {
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx: RequestContext, request: unknown) {
    await ctx.services.groups.ensureOffsetsTopic();
    return ctx.services.transactions.forTransaction(ctx, (request as AddOffsetsToTxnRequest).transactionalId, request);
  },
};
