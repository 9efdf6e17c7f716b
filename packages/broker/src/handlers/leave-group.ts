// LeaveGroup (key 13) v0-5, answered by the group coordinator of the group's __consumer_offsets partition, on
// the shard that owns it (groups/group-router.ts). v0-2 one memberId; v3+ a batch of members (KIP-345).
import type { LeaveGroupRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const leaveGroupHandler: Handler = {
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as LeaveGroupRequest).groupId, request);
  },
};
