// Metadata (key 3) v0-12. Topics: v0 empty array = all topics, v1+ null = all (empty = none); v10+ may name a
// topic by ID only (unknown -> UNKNOWN_TOPIC_ID). Missing topics are auto-created when the request allows it
// (always for v0-3, allowAutoTopicCreation for v4+) and auto.create.topics.enable is true: the creation is awaited,
// so the first answer already lists the ready topic; an invalid name gets INVALID_TOPIC_EXCEPTION. One broker, the
// leader of every partition in leader epoch 0 (as a Kafka single node; OffsetForLeaderEpoch answers for it).
import { defaultMetadataResponse, type MetadataRequest, type MetadataResponseTopic, ZERO_UUID } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { TopicMetadata } from '../metadata/metadata-snapshot.ts';
import { topicNameError } from '../metadata/topic-manager.ts';
import type { Handler, RequestContext } from './handler.ts';

const AUTHORIZED_OPERATIONS_UNKNOWN = -2147483648;

function topicResponse(t: TopicMetadata, nodeId: number): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.isInternal,
    partitions: t.partitions.map((p) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_UNKNOWN,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_UNKNOWN,
  };
}

export const metadataHandler: Handler = {
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as MetadataRequest;
    const s = ctx.services;
    const all = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0);
    const allowAuto = ctx.apiVersion < 4 || req.allowAutoTopicCreation;
    const topics: MetadataResponseTopic[] = [];
    if (all) {
      for (const t of s.metadata().topics.values()) topics.push(topicResponse(t, s.metadata().nodeId));
    } else {
      // Dispatch every auto-creation first, then await them together.
      const pending: Array<Promise<MetadataResponseTopic> | MetadataResponseTopic> = [];
      for (const wanted of req.topics ?? []) {
        const snapshot = s.metadata();
        if (wanted.name === null) {
          const t = snapshot.topicsById.get(wanted.topicId);
          pending.push(
            t ? topicResponse(t, snapshot.nodeId) : errorTopic(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID),
          );
          continue;
        }
        const name = wanted.name;
        const t = snapshot.topics.get(name);
        if (t !== undefined) {
          pending.push(topicResponse(t, snapshot.nodeId));
          continue;
        }
        if (topicNameError(name) !== null) {
          pending.push(errorTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION));
          continue;
        }
        const creating = allowAuto ? s.topics.autoCreate(name) : null;
        if (creating === null) {
          pending.push(errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
        pending.push(
          creating.then((r) => {
            const created = s.metadata().topics.get(name);
            if (created !== undefined) return topicResponse(created, s.metadata().nodeId);
            const code = r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.LEADER_NOT_AVAILABLE : r.errorCode;
            return errorTopic(name, ZERO_UUID, code === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : code);
          }),
        );
      }
      topics.push(...(await Promise.all(pending)));
    }
    const snapshot = s.metadata();
    const body = defaultMetadataResponse();
    const listeners = s.advertisedListeners();
    const listener = listeners.find((l) => l.name === ctx.listenerName) ?? listeners[0];
    body.brokers = [{ nodeId: snapshot.nodeId, host: listener.host || '127.0.0.1', port: listener.port, rack: null }];
    body.clusterId = ctx.apiVersion >= 2 ? snapshot.clusterId : null;
    body.controllerId = ctx.apiVersion >= 1 ? snapshot.nodeId : -1;
    body.topics = topics;
    return body;
  },
};
