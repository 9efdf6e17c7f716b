// IncrementalAlterConfigs (key 44) v0-1. Per resource, ops on the current overrides (TOPIC) or dynamic layer
// (BROKER): SET 0, DELETE 1, APPEND 2 and SUBTRACT 3 (LIST configs only, else INVALID_CONFIG "Can't APPEND to key
// ..."), applied in order by @sluice/config applyIncrementalAlterOps; the result is validated as a whole
// (INVALID_CONFIG with Kafka's message) and applied unless validateOnly, exactly as AlterConfigs applies a map.
// A config named twice in one resource, an unknown operation or a SET with a null value -> INVALID_REQUEST; a
// resource named twice -> INVALID_REQUEST for both.
import { AlterConfigOp, type AlterConfigOpType, applyIncrementalAlterOps, BROKER_CONFIG_DEFS } from '@sluice/config';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import { applyResourceConfigs, currentConfigs, isResourceError, resolveResource } from './config-resources.ts';
import type { Handler, RequestContext } from './handler.ts';

const OPS = new Set<number>(Object.values(AlterConfigOp));

export const incrementalAlterConfigsHandler: Handler = {
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as IncrementalAlterConfigsRequest;
    const s = ctx.services;
    const key = (r: { resourceType: number; resourceName: string }) => `${r.resourceType}:${r.resourceName}`;
    const seen = new Map<string, number>();
    for (const r of req.resources) seen.set(key(r), (seen.get(key(r)) ?? 0) + 1);
    const responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[] = [];
    for (const r of req.resources) {
      const out: IncrementalAlterConfigsResponseAlterConfigsResourceResponse = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      };
      responses.push(out);
      const failWith = (code: number, message: string) => {
        out.errorCode = code;
        out.errorMessage = message;
      };
      if ((seen.get(key(r)) ?? 0) > 1) {
        failWith(ErrorCode.INVALID_REQUEST, 'Duplicate resource in the request');
        continue;
      }
      const names = r.configs.map((c) => c.name);
      if (new Set(names).size !== names.length) {
        failWith(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys`);
        continue;
      }
      const badOp = r.configs.find((c) => !OPS.has(c.configOperation));
      if (badOp !== undefined) {
        failWith(
          ErrorCode.INVALID_REQUEST,
          `Unknown alter config operation ${badOp.configOperation} for ${badOp.name}`,
        );
        continue;
      }
      const nullSet = r.configs.find((c) => c.configOperation === AlterConfigOp.SET && c.value === null);
      if (nullSet !== undefined) {
        failWith(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nullSet.name}`);
        continue;
      }
      const target = resolveResource(s, r.resourceType, r.resourceName);
      if (isResourceError(target)) {
        failWith(target.errorCode, target.errorMessage);
        continue;
      }
      const ops = r.configs.map((c) => ({ name: c.name, op: c.configOperation as AlterConfigOpType, value: c.value }));
      const applied =
        target.kind === 'broker'
          ? applyIncrementalAlterOps(currentConfigs(target), ops, BROKER_CONFIG_DEFS)
          : applyIncrementalAlterOps(currentConfigs(target), ops);
      if (!applied.ok) {
        failWith(ErrorCode.INVALID_CONFIG, applied.error);
        continue;
      }
      const err = await applyResourceConfigs(s, target, applied.configs, req.validateOnly);
      if (err !== null) failWith(err.errorCode, err.errorMessage);
    }
    return { throttleTimeMs: 0, responses };
  },
};
