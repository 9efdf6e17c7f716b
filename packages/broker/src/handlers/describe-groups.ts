// DescribeGroups (key 15) v0-5. The groups are split by the __consumer_offsets partition that owns them, each part
// goes to its coordinator, and the answers are put back in the request's order. An unknown group is described as
// Dead with no members (Kafka's answer); authorizedOperations is INT32_MIN (not computed) as Kafka leaves it.
import type {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const describeGroupsHandler: Handler = {
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx: RequestContext, request: unknown): Promise<DescribeGroupsResponse> {
    const req = request as DescribeGroupsRequest;
    const router = ctx.services.groups;
    const topic = await router.ensureOffsetsTopic();
    const found = new Map<string, DescribeGroupsResponseDescribedGroup>();
    if (topic !== null) {
      const parts = [...router.byPartition(topic, req.groups)].map(async ([p, groups]) => {
        const r = (await router.toPartition(ctx, p, { ...req, groups })) as DescribeGroupsResponse;
        for (const g of r.groups) found.set(g.groupId, g);
      });
      await Promise.all(parts);
    }
    return {
      throttleTimeMs: 0,
      groups: req.groups.map(
        (groupId) =>
          found.get(groupId) ?? {
            errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: -2147483648,
          },
      ),
    };
  },
};
