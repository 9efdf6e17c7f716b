// AlterConfigs (key 33) v0-2: the legacy, non-incremental API. Each resource's configs REPLACE all its overrides
// (TOPIC) or its whole dynamic layer (BROKER "" = cluster default, our node id = this broker); entries with a null
// value are left out. Validated first (INVALID_CONFIG with Kafka's message; read-only broker configs ->
// INVALID_REQUEST), then applied unless validateOnly: topic settings reach the partition logs at once and persist in
// the metadata file, broker layers persist in the data directory. Resources are independent: one failing does not
// stop the others. A resource named twice -> INVALID_REQUEST for both, as Kafka answers duplicates.
import type { AlterConfigsRequest, AlterConfigsResponseAlterConfigsResourceResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import { applyResourceConfigs, isResourceError, resolveResource } from './config-resources.ts';
import type { Handler, RequestContext } from './handler.ts';

export const alterConfigsHandler: Handler = {
  apiKey: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as AlterConfigsRequest;
    const s = ctx.services;
    const seen = new Map<string, number>();
    for (const r of req.resources)
      seen.set(`${r.resourceType}:${r.resourceName}`, (seen.get(`${r.resourceType}:${r.resourceName}`) ?? 0) + 1);
    const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = [];
    // Resources are applied one after another: two of them may touch the same broker config snapshot.
    for (const r of req.resources) {
      const out: AlterConfigsResponseAlterConfigsResourceResponse = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      };
      responses.push(out);
      if ((seen.get(`${r.resourceType}:${r.resourceName}`) ?? 0) > 1) {
        out.errorCode = ErrorCode.INVALID_REQUEST;
        out.errorMessage = 'Duplicate resource in the request';
        continue;
      }
      const target = resolveResource(s, r.resourceType, r.resourceName);
      if (isResourceError(target)) {
        out.errorCode = target.errorCode;
        out.errorMessage = target.errorMessage;
        continue;
      }
      const next: Record<string, string> = {};
      for (const c of r.configs) if (c.value !== null) next[c.name] = c.value;
      const err = await applyResourceConfigs(s, target, next, req.validateOnly);
      if (err !== null) {
        out.errorCode = err.errorCode;
        out.errorMessage = err.errorMessage;
      }
    }
    return { throttleTimeMs: 0, responses };
  },
};
