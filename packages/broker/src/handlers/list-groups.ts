// ListGroups (key 16) v0-5: asks the coordinator of every __consumer_offsets partition and merges their groups
// (state filter v4+ and type filter v5+ applied by each coordinator). The first error of any coordinator (e.g.
// COORDINATOR_LOAD_IN_PROGRESS) is the answer's error code, with the groups of the others, as Kafka does. No
// __consumer_offsets yet: no groups.
import type { ListGroupsResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const listGroupsHandler: Handler = {
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx: RequestContext, request: unknown): Promise<ListGroupsResponse> {
    const router = ctx.services.groups;
    const topic = router.offsetsTopic();
    const out: ListGroupsResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: [] };
    if (topic === undefined) return out;
    const answers = await Promise.all(
      topic.partitions.map((p) => router.toPartition(ctx, p, request) as Promise<ListGroupsResponse>),
    );
    for (const a of answers) {
      if (a.errorCode !== ErrorCode.NONE && out.errorCode === ErrorCode.NONE) out.errorCode = a.errorCode;
      out.groups.push(...a.groups);
    }
    return out;
  },
};
