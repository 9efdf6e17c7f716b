// OffsetCommit (key 8) v0-9, answered by the group coordinator of the group's __consumer_offsets partition, on
// the shard that owns it (groups/group-router.ts). v0 commits without a generation; v1+ check generation and member id; v2-4 carry a retention time.
import type { OffsetCommitRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const offsetCommitHandler: Handler = {
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as OffsetCommitRequest).groupId, request);
  },
};
