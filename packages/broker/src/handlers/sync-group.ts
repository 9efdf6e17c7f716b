// SyncGroup (key 14) v0-5, answered by the group coordinator of the group's __consumer_offsets partition, on
// the shard that owns it (groups/group-router.ts). The leader sends the assignment; followers wait for it.
import type { SyncGroupRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const syncGroupHandler: Handler = {
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as SyncGroupRequest).groupId, request);
  },
};
