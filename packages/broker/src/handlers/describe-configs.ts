// DescribeConfigs (key 32) v0-4 for TOPIC, BROKER and BROKER_LOGGER resources (config-resources.ts says which
// names resolve and the errors of the others). Per entry: Kafka's name and value text (null when sensitive),
// readOnly, isSensitive; v0 isDefault (source is DEFAULT_CONFIG); v1+ configSource and, with includeSynonyms,
// synonyms in Kafka's order (topic override, dynamic broker, dynamic default, static, default); v3+ configType and,
// with includeDocumentation, documentation. configurationKeys null = every config, else only the names given (unknown
// names are left out, as Kafka does). The BROKER resource "" (cluster default) lists only the dynamic default
// configs set, as Kafka does.
import { ConfigSource, type DescribedConfig, describeTopicConfig } from '@sluice/config';
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import { isResourceError, resolveResource } from './config-resources.ts';
import type { Handler, RequestContext } from './handler.ts';

function entry(
  c: DescribedConfig,
  v: number,
  includeSynonyms: boolean,
  includeDocumentation: boolean,
): DescribeConfigsResponseDescribeConfigsResourceResult {
  return {
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    isDefault: v === 0 && c.source === 'DEFAULT_CONFIG',
    configSource: ConfigSource[c.source],
    isSensitive: c.isSensitive,
    synonyms:
      v >= 1 && includeSynonyms
        ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: ConfigSource[s.source] }))
        : [],
    configType: c.configType,
    documentation: v >= 3 && includeDocumentation ? c.documentation : null,
  };
}

export const describeConfigsHandler: Handler = {
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx: RequestContext, request: unknown) {
    const req = request as DescribeConfigsRequest;
    const s = ctx.services;
    const v = ctx.apiVersion;
    const results = req.resources.map((r): DescribeConfigsResponseDescribeConfigsResult => {
      const out: DescribeConfigsResponseDescribeConfigsResult = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      };
      const target = resolveResource(s, r.resourceType, r.resourceName);
      if (isResourceError(target)) {
        out.errorCode = target.errorCode;
        out.errorMessage = target.errorMessage;
        return out;
      }
      const names = r.configurationKeys ?? undefined;
      let described: DescribedConfig[];
      if (target.kind === 'topic') described = describeTopicConfig(s.config(), target.overrides, names);
      else if (target.kind === 'broker') {
        const wanted = target.perBroker
          ? names
          : (names ?? Object.keys(target.dynamic)).filter((n) => n in target.dynamic);
        described = s.config().describe({ perBroker: target.perBroker, names: wanted });
      } else described = [];
      out.configs = described.map((c) => entry(c, v, req.includeSynonyms, req.includeDocumentation));
      return out;
    });
    return { throttleTimeMs: 0, results };
  },
};
