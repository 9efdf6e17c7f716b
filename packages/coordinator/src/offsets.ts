// OffsetCommit (key 8) v0-9, OffsetFetch (key 9) v0-9 and OffsetDelete (key 47) v0, and offset expiry.
// Commits: v0 has no generation (a "simple" consumer), v1 a per-partition commit timestamp, v2-4 a retention time
// (-> OffsetCommitValue v1 with an expire timestamp), v6+ the leader epoch, v7+ group.instance.id. A commit with
// generation -1 and no member id is accepted only while the group is Empty (or unknown: the group is created,
// protocol type none); group members must name their generation; an unknown group with a generation is
// ILLEGAL_GENERATION before v9 and GROUP_ID_NOT_FOUND from v9 (Kafka's OffsetMetadataManager). Fetch: v0-1 errors
// per partition, v2+ a top-level error, v7+ requireStable, v8+ many groups; topics null (v2+) = all. Partitions
// without a commit answer offset -1, metadata "". Expiry (offsets.retention.minutes): offsets of an Empty group
// expire that long after it became Empty, of a simple group that long after their commit, of a Stable consumer
// group only for topics it no longer subscribes to; an Empty group left without offsets is deleted.
// Owner: shard.
import type { OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest } from '@sluice/protocol';
import { ClassicGroup, CONSUMER_PROTOCOL_TYPE, type OffsetAndMetadata } from './classic-group.ts';
import { ErrorCode } from './error-codes.ts';
import { groupTombstone, offsetCommitRecord, offsetTombstone } from './records.ts';
import type { Runtime } from './runtime.ts';

/** Whether transactional offsets are pending for a partition (TxnOffsetCommit not yet committed): the seam. */
export type PendingTransactionalOffsets = (groupId: string, topic: string, partition: number) => boolean;

export function offsetCommit(rt: Runtime, req: OffsetCommitRequest, apiVersion: number) {
  const answer = (code: () => number) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code() })),
    })),
  });
  const generationId = apiVersion >= 1 ? req.generationIdOrMemberEpoch : -1;
  const memberId = apiVersion >= 1 ? req.memberId : '';
  let group = rt.groups.get(req.groupId);
  if (group === undefined) {
    if (generationId >= 0) {
      return answer(() => (apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION));
    }
    // A consumer that uses Kafka only to store offsets: the group exists from now on (Empty, no protocol type).
    group = new ClassicGroup(req.groupId, -1);
    rt.groups.set(req.groupId, group);
  }
  const error = validateOffsetCommit(group, generationId, memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return answer(() => error);
  const retentionMs = apiVersion >= 2 && apiVersion <= 4 ? Number(req.retentionTimeMs) : -1;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(metadata) > rt.config.offsetMetadataMaxBytes) {
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        }
        storeOffset(rt, group, t.name, p.partitionIndex, {
          committedOffset: p.committedOffset,
          committedLeaderEpoch: apiVersion >= 6 ? p.committedLeaderEpoch : -1,
          metadata,
          // v1 carries the client's commit time; -1 (and every other version) means "now".
          commitTimestampMs: apiVersion === 1 && p.commitTimestamp !== -1n ? Number(p.commitTimestamp) : rt.now,
          expireTimestampMs: retentionMs === -1 ? -1 : rt.now + retentionMs,
        });
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    })),
  };
}

function storeOffset(
  rt: Runtime,
  group: ClassicGroup,
  topic: string,
  partition: number,
  offset: OffsetAndMetadata,
): void {
  let partitions = group.offsets.get(topic);
  if (partitions === undefined) {
    partitions = new Map();
    group.offsets.set(topic, partitions);
  }
  partitions.set(partition, offset);
  rt.append(offsetCommitRecord(group.groupId, topic, partition, offset));
}

function validateOffsetCommit(
  group: ClassicGroup,
  generationId: number,
  memberId: string,
  instanceId: string | null,
): number {
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  // Generation -1 from the admin client or a consumer without group management: only while nobody is in the group.
  if (generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || instanceId !== null) {
    const memberError = group.validateMember(memberId, instanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (group.state !== 'Empty') {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  // The member has its new generation but not its assignment yet: let it finish the rebalance first.
  if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

interface FetchedPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

/** One group's offsets for the requested topics (null = all committed), as OffsetFetch reports them. */
function fetchGroupOffsets(
  rt: Runtime,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
  requireStable: boolean,
  pending: PendingTransactionalOffsets,
) {
  const group = rt.groups.get(groupId);
  const offsets = group?.offsets;
  const entry = (topic: string, partitionIndex: number): FetchedPartition => {
    if (requireStable && pending(groupId, topic, partitionIndex)) {
      return {
        partitionIndex,
        committedOffset: -1n,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
      };
    }
    const o = offsets?.get(topic)?.get(partitionIndex);
    return o === undefined
      ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }
      : {
          partitionIndex,
          committedOffset: o.committedOffset,
          committedLeaderEpoch: o.committedLeaderEpoch,
          metadata: o.metadata,
          errorCode: 0,
        };
  };
  if (topics === null) {
    return [...(offsets ?? new Map<string, Map<number, OffsetAndMetadata>>()).entries()].map(([name, partitions]) => ({
      name,
      partitions: [...partitions.keys()].map((p) => entry(name, p)),
    }));
  }
  return topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => entry(t.name, p)) }));
}

export function offsetFetch(
  rt: Runtime,
  req: OffsetFetchRequest,
  apiVersion: number,
  pending: PendingTransactionalOffsets,
) {
  const requireStable = apiVersion >= 7 && req.requireStable;
  if (apiVersion >= 8) {
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: 0,
      groups: req.groups.map((g) => ({
        groupId: g.groupId,
        topics: fetchGroupOffsets(rt, g.groupId, g.topics, requireStable, pending),
        errorCode: 0,
      })),
    };
  }
  const topics = fetchGroupOffsets(
    rt,
    req.groupId,
    apiVersion >= 2 ? req.topics : (req.topics ?? []),
    requireStable,
    pending,
  );
  return { throttleTimeMs: 0, topics, errorCode: 0, groups: [] };
}

export function offsetDelete(rt: Runtime, req: OffsetDeleteRequest) {
  const fail = (errorCode: number) => ({ errorCode, throttleTimeMs: 0, topics: [] });
  const group = rt.groups.get(req.groupId);
  if (group === undefined || group.state === 'Dead') return fail(ErrorCode.GROUP_ID_NOT_FOUND);
  // A non-empty group may lose offsets only of topics it does not consume, which needs the consumer protocol.
  const isConsumerGroup = group.protocolType === CONSUMER_PROTOCOL_TYPE;
  if (group.state !== 'Empty' && !isConsumerGroup) return fail(ErrorCode.NON_EMPTY_GROUP);
  const topics = req.topics.map((t) => {
    const subscribed = group.state !== 'Empty' && group.isSubscribedToTopic(t.name);
    return {
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (subscribed) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        const partitions = group.offsets.get(t.name);
        if (partitions?.delete(p.partitionIndex)) {
          if (partitions.size === 0) group.offsets.delete(t.name);
          rt.append(offsetTombstone(group.groupId, t.name, p.partitionIndex));
        }
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    };
  });
  return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
}

/** Writes tombstones for expired offsets; deletes Empty groups left with none. Runs every check interval. */
export function expireOffsets(rt: Runtime): void {
  for (const group of [...rt.groups.values()]) {
    const base = expiryBase(group);
    if (base !== null) {
      for (const [topic, partitions] of group.offsets) {
        if (group.state === 'Stable' && group.isSubscribedToTopic(topic)) continue;
        for (const [partition, o] of partitions) {
          const expired =
            o.expireTimestampMs >= 0 ? rt.now >= o.expireTimestampMs : rt.now - base(o) >= rt.config.offsetsRetentionMs;
          if (expired) {
            partitions.delete(partition);
            rt.append(offsetTombstone(group.groupId, topic, partition));
          }
        }
        if (partitions.size === 0) group.offsets.delete(topic);
      }
    }
    if (group.state === 'Empty' && group.offsets.size === 0 && group.pendingMembers.size === 0) {
      group.transitionTo('Dead', rt.now);
      rt.groups.delete(group.groupId);
      rt.append(groupTombstone(group.groupId));
    }
  }
}

function expiryBase(group: ClassicGroup): ((o: OffsetAndMetadata) => number) | null {
  if (group.protocolType === null) return (o) => o.commitTimestampMs;
  if (group.state === 'Empty') {
    const since = group.currentStateTimestampMs;
    return (o) => (since >= 0 ? since : o.commitTimestampMs);
  }
  if (group.state === 'Stable' && group.protocolType === CONSUMER_PROTOCOL_TYPE && group.subscribedTopics !== null) {
    return (o) => o.commitTimestampMs;
  }
  return null;
}
