// OffsetCommit (key 8) v0-9, answered by the group coordinator of the group's __consumer_offsets partition, on the
// shard that owns it (groups/group-router.ts). v0 commits without a generation; v1+ check generation and member id;
// v2-4 carry a retention time. As Kafka: partitions of unknown topics (or beyond the partition count) get
// UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator; when none is left the coordinator is not asked.
import type { OffsetCommitRequest, OffsetCommitResponse } from '@sluice/protocol';
import { mergePartitionErrors, splitKnownPartitions } from '../groups/known-partitions.ts';
import type { Handler, RequestContext } from './handler.ts';

export const offsetCommitHandler: Handler = {
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx: RequestContext, request: unknown): Promise<OffsetCommitResponse> {
    const req = request as OffsetCommitRequest;
    const { known, unknown } = splitKnownPartitions(ctx.services.metadata(), req.topics);
    if (known.length === 0) {
      const out: OffsetCommitResponse = { throttleTimeMs: 0, topics: [] };
      mergePartitionErrors(out.topics, unknown);
      return out;
    }
    const body = unknown.length === 0 ? req : { ...req, topics: known };
    const r = (await ctx.services.groups.forGroup(ctx, req.groupId, body)) as OffsetCommitResponse;
    mergePartitionErrors(r.topics, unknown);
    return r;
  },
};
