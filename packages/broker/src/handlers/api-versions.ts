// ApiVersions (key 18) v0-4. Lists exactly the handlers in handlers/index.ts with their ranges (min 0 where the
// schema allows: librdkafka reads ranges as feature flags, protocol.md §b). A too-new ApiVersions never reaches
// here: the connection answers it as v0 with UNSUPPORTED_VERSION (server/connection.ts). No features (v3+).
import { type ApiVersionsRequest, defaultApiVersionsResponse } from '@sluice/protocol';
import type { Handler, RequestContext } from './handler.ts';
import { handlers } from './index.ts';

export const apiVersionsHandler: Handler = {
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  handle(_ctx: RequestContext, _request: unknown) {
    const _req = _request as ApiVersionsRequest;
    const body = defaultApiVersionsResponse();
    body.apiKeys = [...handlers]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
    return body;
  },
};
