// OffsetDelete (key 47) v0-0, answered by the group coordinator of the group's __consumer_offsets partition, on
// the shard that owns it (groups/group-router.ts). Deletes committed offsets of partitions the group no longer subscribes to (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
import type { OffsetDeleteRequest } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const offsetDeleteHandler: Handler = {
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx: RequestContext, request: unknown) {
    return ctx.services.groups.forGroup(ctx, (request as OffsetDeleteRequest).groupId, request);
  },
};
