// TxnOffsetCommit (key 28) v0-4, answered by the group coordinator of the group's __consumer_offsets partition
// (groups/group-router.ts): the offsets are written as the producer's transactional batch and stay pending until
// the transaction's marker lands on that partition (COMMIT: visible to OffsetFetch; ABORT: dropped). See
// packages/coordinator/src/txn-offsets.ts.
import type { TxnOffsetCommitRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const txnOffsetCommitHandler: Handler = {
  apiKey: 28,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as TxnOffsetCommitRequest).groupId, request);
  },
};
