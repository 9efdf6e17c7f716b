// OffsetFetch (key 9) v0-9. v0-7: one groupId (topics null = every partition with a committed offset, v2+);
// v8+ (KIP-709): `groups[]`, split by the __consumer_offsets partition owning each group, each part answered by its
// coordinator, the groups put back in the request's order. requireStable (v7+) is passed through.
import type { OffsetFetchRequest, OffsetFetchResponse, OffsetFetchResponseGroup } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const offsetFetchHandler: Handler = {
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx: RequestContext, request: unknown): Promise<unknown> {
    const req = request as OffsetFetchRequest;
    const router = ctx.services.groups;
    if (ctx.apiVersion < 8) return router.forGroup(ctx, req.groupId, request);
    const topic = await router.ensureOffsetsTopic();
    const found = new Map<string, OffsetFetchResponseGroup>();
    if (topic !== null) {
      const byGroup = new Map(req.groups.map((g) => [g.groupId, g]));
      const ids = [...byGroup.keys()];
      const parts = [...router.byPartition(topic, ids)].map(async ([p, groupIds]) => {
        const sub = { ...req, groups: groupIds.map((id) => byGroup.get(id)!) };
        const r = (await router.toPartition(ctx, p, sub)) as OffsetFetchResponse;
        for (const g of r.groups) found.set(g.groupId, g);
      });
      await Promise.all(parts);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: [],
      groups: req.groups.map(
        (g) =>
          found.get(g.groupId) ?? { groupId: g.groupId, topics: [], errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE },
      ),
    } satisfies OffsetFetchResponse;
  },
};
