// JoinGroup (key 11) v0-9, answered by the group coordinator of the group's __consumer_offsets partition, on
// the shard that owns it (groups/group-router.ts). Joins (or rejoins) a classic group; the answer waits for the rebalance (up to the rebalance timeout). MEMBER_ID_REQUIRED only for v4+ (KIP-394).
import type { JoinGroupRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const joinGroupHandler: Handler = {
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as JoinGroupRequest).groupId, request);
  },
};
