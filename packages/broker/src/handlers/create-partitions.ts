// CreatePartitions (key 37) v0-3. Grows a topic to `count` partitions; the new ones start empty and are served at
// once (Produce/Fetch/Metadata). Kafka's checks, in its order (ReplicationControlManager.createPartitions): a topic
// named twice -> INVALID_REQUEST; unknown -> UNKNOWN_TOPIC_OR_PARTITION; count not larger -> INVALID_PARTITIONS
// ("Topic already has N partition(s)." / "... would not be an increase."); assignments, when not null, must give
// exactly one replica list per new partition, each naming only this node -> else INVALID_REPLICA_ASSIGNMENT.
// validateOnly checks everything and changes nothing. The new count is persisted in the metadata file.
import type { CreatePartitionsRequest, CreatePartitionsResponseCreatePartitionsTopicResult } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

export const createPartitionsHandler: Handler = {
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as CreatePartitionsRequest;
    const s = ctx.services;
    const nodeId = s.metadata().nodeId;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = await Promise.all(
      req.topics.map(async (t): Promise<CreatePartitionsResponseCreatePartitionsTopicResult> => {
        const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
        if ((counts.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
        const topic = s.metadata().topics.get(t.name);
        if (topic === undefined) {
          return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
        }
        const current = topic.partitions.length;
        const increase = t.count - current;
        if (increase < 0) {
          return fail(
            ErrorCode.INVALID_PARTITIONS,
            `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`,
          );
        }
        if (increase === 0) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
        if (t.assignments !== null) {
          if (t.assignments.length !== increase) {
            return fail(
              ErrorCode.INVALID_REPLICA_ASSIGNMENT,
              `Attempted to add ${increase} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
            );
          }
          for (const a of t.assignments) {
            if (a.brokerIds.length === 0) {
              return fail(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                'The manual partition assignment includes an empty replica list.',
              );
            }
            const other = a.brokerIds.find((id) => id !== nodeId);
            if (other !== undefined) {
              return fail(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                `The manual partition assignment includes broker ${other}, but no such broker is registered.`,
              );
            }
            if (a.brokerIds.length !== 1) {
              return fail(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                `The manual partition assignment includes the broker ${nodeId} more than once.`,
              );
            }
          }
        }
        const r = await s.topics.createPartitions(t.name, t.count, req.validateOnly);
        return r.errorCode === ErrorCode.NONE
          ? { name: t.name, errorCode: 0, errorMessage: null }
          : fail(r.errorCode, r.errorMessage ?? '');
      }),
    );
    return { throttleTimeMs: 0, results };
  },
};
