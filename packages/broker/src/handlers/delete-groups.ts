// DeleteGroups (key 42) v0-2. Split by the __consumer_offsets partition that owns each group; each coordinator
// deletes its empty groups (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND for unknown ones) and writes their
// tombstones; results come back in the request's order.
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const deleteGroupsHandler: Handler = {
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx: RequestContext, request: unknown): Promise<DeleteGroupsResponse> {
    const req = request as DeleteGroupsRequest;
    const router = ctx.services.groups;
    const topic = await router.ensureOffsetsTopic();
    const codes = new Map<string, number>();
    if (topic !== null) {
      const parts = [...router.byPartition(topic, req.groupsNames)].map(async ([p, groupsNames]) => {
        const r = (await router.toPartition(ctx, p, { groupsNames })) as DeleteGroupsResponse;
        for (const x of r.results) codes.set(x.groupId, x.errorCode);
      });
      await Promise.all(parts);
    }
    return {
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId) => ({
        groupId,
        errorCode: codes.get(groupId) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE,
      })),
    };
  },
};
