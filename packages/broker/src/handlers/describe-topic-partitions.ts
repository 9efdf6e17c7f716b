// DescribeTopicPartitions (key 75) v0 (KIP-966). Topics: the names given (an empty list = every topic), answered in
// name order; a cursor (topic, partition) starts the answer there (its topic must be among the names given, else
// INVALID_REQUEST on every topic). At most min(responsePartitionLimit, 2000) partitions are answered; when more
// remain, nextCursor names the first one left out. Unknown topics -> UNKNOWN_TOPIC_OR_PARTITION (zero topic id),
// illegal names -> INVALID_TOPIC_EXCEPTION. Partitions as Metadata: this node is leader, sole replica and ISR,
// leader epoch 0, empty ELR lists. topicAuthorizedOperations: every TOPIC operation (no authorizer).
import {
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseTopic,
  ZERO_UUID,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import { topicNameError } from '../metadata/topic-manager.ts';
import type { Handler, RequestContext } from './handler.ts';

// Kafka's max.request.partition.size.limit default.
const MAX_PARTITIONS = 2000;
// AclOperation codes as bits: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10,
// ALTER_CONFIGS 11.
const TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);

function errorTopic(name: string, errorCode: number): DescribeTopicPartitionsResponseTopic {
  return {
    errorCode,
    name,
    topicId: ZERO_UUID,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: -2147483648,
  };
}

export const describeTopicPartitionsHandler: Handler = {
  apiKey: 75,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx: RequestContext, request: unknown) {
    const req = request as DescribeTopicPartitionsRequest;
    const snapshot = ctx.services.metadata();
    const nodeId = snapshot.nodeId;
    const all = req.topics.length === 0;
    const names = all ? [...snapshot.topics.keys()] : [...new Set(req.topics.map((t) => t.name))];
    names.sort();
    const cursor = req.cursor;
    const out: DescribeTopicPartitionsResponse = { throttleTimeMs: 0, topics: [], nextCursor: null };
    if (cursor !== null && !all && !names.includes(cursor.topicName)) {
      out.topics = names.map((n) => errorTopic(n, ErrorCode.INVALID_REQUEST));
      return out;
    }
    let budget = Math.max(0, Math.min(req.responsePartitionLimit, MAX_PARTITIONS));
    for (const name of names) {
      if (cursor !== null && name < cursor.topicName) continue;
      const t = snapshot.topics.get(name);
      if (t === undefined) {
        out.topics.push(
          errorTopic(
            name,
            topicNameError(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION,
          ),
        );
        continue;
      }
      const first = cursor !== null && name === cursor.topicName ? Math.max(0, cursor.partitionIndex) : 0;
      if (budget === 0) {
        out.nextCursor = { topicName: name, partitionIndex: first };
        break;
      }
      const last = Math.min(t.partitions.length, first + budget);
      out.topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.slice(first, last).map((p) => ({
          errorCode: ErrorCode.NONE,
          partitionIndex: p.partition,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: [],
        })),
        topicAuthorizedOperations: TOPIC_OPERATIONS,
      });
      budget -= last - first;
      if (last < t.partitions.length) {
        out.nextCursor = { topicName: name, partitionIndex: last };
        break;
      }
    }
    return out;
  },
};
