// DeleteTopics (key 20) v0-6. v0-5 name topics (topicNames); v6 names or topic IDs (topics[]); unknown name ->
// UNKNOWN_TOPIC_OR_PARTITION, unknown ID -> UNKNOWN_TOPIC_ID. The topic is unlisted and persisted before its logs
// are removed from the shards.
import { type DeleteTopicsRequest, type DeleteTopicsResponseDeletableTopicResult, ZERO_UUID } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const deleteTopicsHandler: Handler = {
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as DeleteTopicsRequest;
    const s = ctx.services;
    const v = ctx.apiVersion;
    const wanted =
      v >= 6
        ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
        : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses = await Promise.all(
      wanted.map(async (w): Promise<DeleteTopicsResponseDeletableTopicResult> => {
        const out: DeleteTopicsResponseDeletableTopicResult = {
          name: w.name,
          topicId: ZERO_UUID,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
        };
        let name = w.name;
        if (name === null) {
          const t = s.metadata().topicsById.get(w.topicId);
          if (t === undefined) {
            out.errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
            out.errorMessage = v >= 5 ? `Topic id ${w.topicId} does not exist` : null;
            return out;
          }
          name = t.name;
          out.name = name;
        }
        const r = await s.topics.deleteTopic(name);
        out.errorCode = r.errorCode;
        if (v >= 5) out.errorMessage = r.errorMessage;
        if (v >= 6 && r.topicId !== undefined) out.topicId = r.topicId;
        return out;
      }),
    );
    return { throttleTimeMs: 0, responses };
  },
};
