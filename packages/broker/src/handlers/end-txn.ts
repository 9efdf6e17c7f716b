// EndTxn (key 26) v0-4, answered by the transaction coordinator of the transactional id
// (transactions/txn-router.ts) once its PrepareCommit/PrepareAbort record is durable; the markers follow. v5 (the
// transaction version 2 form) is not advertised: the coordinator does not bump the epoch at every end.
import type { EndTxnRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const endTxnHandler: Handler = {
  apiKey: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.transactions.forTransaction(ctx, (request as EndTxnRequest).transactionalId, request);
  },
};
