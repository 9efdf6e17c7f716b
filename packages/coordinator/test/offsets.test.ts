// Committed offsets: commit/fetch round trips across versions, simple (groupless) consumers, retention-based
// expiry with tombstones, OffsetDelete's subscribed-topic rule and DeleteGroups' tombstones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JoinGroupResponse } from '@sluice/protocol';
import { decodeRecord, ErrorCode } from '../src/index.ts';
import { assignRoundRobin, Harness, joinRequest, syncRequest } from './harness.ts';

type CommitResp = { topics: { partitions: { errorCode: number }[] }[] };
type FetchResp = {
  errorCode: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      metadata: string | null;
      errorCode: number;
    }[];
  }[];
  groups: { groupId: string; errorCode: number; topics: FetchResp['topics'] }[];
};

function commit(
  h: Harness,
  v: number,
  groupId: string,
  offset: bigint,
  opts: { gen?: number; member?: string; metadata?: string | null; retention?: bigint; topic?: string } = {},
) {
  return h.call<CommitResp>(8, v, {
    groupId,
    generationIdOrMemberEpoch: opts.gen ?? -1,
    memberId: opts.member ?? '',
    groupInstanceId: null,
    retentionTimeMs: opts.retention ?? -1n,
    topics: [
      {
        name: opts.topic ?? 'orders',
        partitions: [
          {
            partitionIndex: 3,
            committedOffset: offset,
            committedLeaderEpoch: 7,
            commitTimestamp: -1n,
            committedMetadata: opts.metadata === undefined ? 'm' : opts.metadata,
          },
        ],
      },
    ],
  }).response?.topics[0].partitions[0].errorCode;
}

const fetchV = (
  h: Harness,
  v: number,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
) =>
  h.call<FetchResp>(9, v, {
    groupId,
    topics,
    groups: [{ groupId, memberId: null, memberEpoch: -1, topics }],
    requireStable: false,
  }).response as FetchResp;

test('offsets round-trip with metadata and leader epoch through commit and fetch, old and new versions', () => {
  const h = new Harness();
  assert.equal(commit(h, 7, 'simple', 42n, { metadata: 'checkpoint-1' }), 0);
  const v7 = fetchV(h, 7, 'simple', [{ name: 'orders', partitionIndexes: [3, 4] }]);
  assert.deepEqual(
    v7.topics[0].partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]),
    [
      [42n, 7, 'checkpoint-1'],
      [-1n, -1, ''],
    ],
  );
  const v8 = fetchV(h, 8, 'simple', null);
  assert.equal(v8.groups[0].topics[0].partitions[0].committedOffset, 42n, 'null topics = all');
  assert.equal(commit(h, 0, 'simple', 43n, { metadata: null }), 0);
  const v1 = fetchV(h, 1, 'simple', [{ name: 'orders', partitionIndexes: [3] }]);
  assert.deepEqual([v1.topics[0].partitions[0].committedOffset, v1.topics[0].partitions[0].metadata], [43n, '']);
  assert.equal(commit(h, 7, 'simple', 1n, { metadata: 'x'.repeat(4097) }), ErrorCode.OFFSET_METADATA_TOO_LARGE);
  assert.deepEqual(
    h.coordinator.listCommittedOffsets('simple').map((o) => [o.topic, o.partition, o.committedOffset]),
    [['orders', 3, 43n]],
  );
  // v2-4 retention times are written as OffsetCommitValue v1 (with an expire timestamp), as Kafka does.
  commit(h, 2, 'retained', 5n, { retention: 60_000n });
  const last = h.log[h.log.length - 1];
  assert.equal(last.value?.readInt16BE(0), 1);
  const decoded = decodeRecord(last.key, last.value);
  assert.ok(decoded.type === 'offset' && decoded.value?.expireTimestampMs === h.now + 60_000);
});

test('offsets of an empty group expire after offsets.retention.minutes with tombstones, then the group goes', () => {
  const h = new Harness({
    config: {
      offsetsRetentionMs: 3_600_000,
      offsetsRetentionCheckIntervalMs: 600_000,
      groupInitialRebalanceDelayMs: 0,
    },
  });
  const join = h.call<JoinGroupResponse>(11, 3, joinRequest('app', ''));
  h.advance(0);
  const j = join.response as JoinGroupResponse;
  h.call(14, 3, syncRequest('app', j.memberId, 1, assignRoundRobin([j.memberId], 6)));
  assert.equal(commit(h, 7, 'app', 9n, { gen: 1, member: j.memberId }), 0);
  h.advance(5_000_000);
  assert.equal(h.coordinator.listCommittedOffsets('app').length, 0, 'the member died at 10 s; the group emptied');
  const tombstones = h.log.filter((r) => r.value === null).map((r) => decodeRecord(r.key, r.value).type);
  assert.deepEqual(tombstones, ['offset', 'group']);
  assert.equal(h.coordinator.describeGroup('app'), undefined);
});

test('offsets of a Stable group are kept past the retention time', () => {
  const h = new Harness({ config: { offsetsRetentionMs: 60_000, groupInitialRebalanceDelayMs: 0 } });
  const j = h.call<JoinGroupResponse>(11, 3, joinRequest('app', ''));
  h.advance(0);
  const id = j.response?.memberId as string;
  h.call(14, 3, syncRequest('app', id, 1, assignRoundRobin([id], 6)));
  commit(h, 7, 'app', 9n, { gen: 1, member: id });
  for (let t = 0; t < 400; t++) {
    h.advance(3_000);
    h.call(12, 3, { groupId: 'app', generationId: 1, memberId: id, groupInstanceId: null });
  }
  assert.equal(h.coordinator.listCommittedOffsets('app').length, 1);
});

test('OffsetDelete refuses topics the group consumes and deletes the others; DeleteGroups writes tombstones', () => {
  const h = new Harness({ config: { groupInitialRebalanceDelayMs: 0 } });
  const j = h.call<JoinGroupResponse>(11, 3, joinRequest('app', ''));
  h.advance(0);
  const id = j.response?.memberId as string;
  h.call(14, 3, syncRequest('app', id, 1, assignRoundRobin([id], 6)));
  commit(h, 7, 'app', 1n, { gen: 1, member: id, topic: 'orders' });
  commit(h, 7, 'app', 2n, { gen: 1, member: id, topic: 'old-topic' });
  const del = h.call<{ errorCode: number; topics: { name: string; partitions: { errorCode: number }[] }[] }>(47, 0, {
    groupId: 'app',
    topics: ['orders', 'old-topic'].map((name) => ({ name, partitions: [{ partitionIndex: 3 }] })),
  }).response;
  assert.deepEqual(
    del?.topics.map((t) => t.partitions[0].errorCode),
    [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0],
  );
  assert.deepEqual(
    h.coordinator.listCommittedOffsets('app').map((o) => o.topic),
    ['orders'],
  );
  assert.equal(
    h.call<{ errorCode: number }>(47, 0, { groupId: 'none', topics: [] }).response?.errorCode,
    ErrorCode.GROUP_ID_NOT_FOUND,
  );

  h.call(13, 3, { groupId: 'app', memberId: '', members: [{ memberId: id, groupInstanceId: null, reason: null }] });
  const before = h.log.length;
  const res = h.call<{ results: { errorCode: number }[] }>(42, 2, { groupsNames: ['app'] }).response;
  assert.equal(res?.results[0].errorCode, 0);
  assert.deepEqual(
    h.log.slice(before).map((r) => [decodeRecord(r.key, r.value).type, r.value]),
    [
      ['offset', null],
      ['group', null],
    ],
  );
  assert.equal(h.rebuild().describeGroup('app'), undefined);
});
