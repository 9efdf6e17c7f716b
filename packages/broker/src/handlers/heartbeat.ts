// Heartbeat (key 12) v0-4, answered by the group coordinator of the group's __consumer_offsets partition, on
// the shard that owns it (groups/group-router.ts). Keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin.
import type { HeartbeatRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const heartbeatHandler: Handler = {
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as HeartbeatRequest).groupId, request);
  },
};
