// OffsetDelete (key 47) v0, answered by the group coordinator of the group's __consumer_offsets partition, on the
// shard that owns it (groups/group-router.ts): deletes committed offsets of partitions the group no longer
// subscribes to (GROUP_SUBSCRIBED_TO_TOPIC otherwise). As Kafka: partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION here; the coordinator still answers the group-level error for the rest.
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '@sluice/protocol';
import { mergePartitionErrors, splitKnownPartitions } from '../groups/known-partitions.ts';
import type { Handler, RequestContext } from './handler.ts';

export const offsetDeleteHandler: Handler = {
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx: RequestContext, request: unknown): Promise<OffsetDeleteResponse> {
    const req = request as OffsetDeleteRequest;
    const { known, unknown } = splitKnownPartitions(ctx.services.metadata(), req.topics);
    const body = unknown.length === 0 ? req : { ...req, topics: known };
    const r = (await ctx.services.groups.forGroup(ctx, req.groupId, body)) as OffsetDeleteResponse;
    if (r.errorCode === 0) mergePartitionErrors(r.topics, unknown);
    return r;
  },
};
