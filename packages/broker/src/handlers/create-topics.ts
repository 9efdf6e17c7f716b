// CreateTopics (key 19) v0-7. numPartitions (-1 = num.partitions), replicationFactor 1 or -1 (one node; anything
// else -> INVALID_REPLICATION_FACTOR), manual assignments must name only this node, configs validated
// (INVALID_CONFIG with Kafka's message), validateOnly (v1+), TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION for bad
// names, INVALID_REQUEST for a name given twice. v5+ answers the effective configs; v7+ the topic ID.
import { ConfigSource, describeTopicConfig } from '@sluice/config';
import { type CreateTopicsRequest, type CreateTopicsResponseCreatableTopicResult, ZERO_UUID } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const createTopicsHandler: Handler = {
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as CreateTopicsRequest;
    const s = ctx.services;
    const v = ctx.apiVersion;
    const nodeId = s.metadata().nodeId;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = await Promise.all(
      req.topics.map(async (t): Promise<CreateTopicsResponseCreatableTopicResult> => {
        const out: CreateTopicsResponseCreatableTopicResult = {
          name: t.name,
          topicId: ZERO_UUID,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topicConfigErrorCode: 0,
          numPartitions: -1,
          replicationFactor: -1,
          configs: v >= 5 ? [] : null,
        };
        const fail = (code: number, message: string) => {
          out.errorCode = code;
          out.errorMessage = v >= 1 ? message : null;
          return out;
        };
        if ((counts.get(t.name) ?? 0) > 1)
          return fail(
            ErrorCode.INVALID_REQUEST,
            `Create topics request from client contains duplicate topic '${t.name}'`,
          );
        let numPartitions = t.numPartitions;
        let replicationFactor = t.replicationFactor;
        if (t.assignments.length > 0) {
          if (numPartitions !== -1 || replicationFactor !== -1) {
            return fail(
              ErrorCode.INVALID_REQUEST,
              'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
            );
          }
          for (const a of t.assignments) {
            if (a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId) {
              return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment of ${t.name}`);
            }
          }
          numPartitions = t.assignments.length;
          replicationFactor = 1;
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
        const r = await s.topics.createTopic(t.name, numPartitions, replicationFactor, configs, req.validateOnly);
        if (r.errorCode !== ErrorCode.NONE || r.topic === undefined) return fail(r.errorCode, r.errorMessage ?? '');
        if (v >= 5) {
          out.numPartitions = r.topic.partitions.length;
          out.replicationFactor = 1;
          out.configs = describeTopicConfig(s.config(), configs).map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: ConfigSource[c.source],
            isSensitive: c.isSensitive,
          }));
        }
        if (v >= 7 && !req.validateOnly) out.topicId = r.topic.topicId;
        return out;
      }),
    );
    return { throttleTimeMs: 0, topics: results };
  },
};
