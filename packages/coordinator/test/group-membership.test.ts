// The classic rebalance protocol end to end against the state machine with a fake clock: KIP-394 joins, leader
// election and assignment propagation, rebalances on leave and on session expiry, static membership, pending
// member expiry, protocol selection, the initial rebalance delay, and the error codes by version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JoinGroupResponse, SyncGroupResponse } from '@sluice/protocol';
import { ErrorCode } from '../src/index.ts';
import {
  assignRoundRobin,
  type Box,
  Harness,
  heartbeatRequest,
  joinRequest,
  subscription,
  syncRequest,
} from './harness.ts';

const G = 'orders-app';
const NO_DELAY = { config: { groupInitialRebalanceDelayMs: 0 } };

/** Three members join a fresh group with the v5 MEMBER_ID_REQUIRED round trip and sync; returns their ids. */
function stableGroupOfThree(h: Harness, version = 5) {
  const ids: string[] = [];
  const joins: Box<JoinGroupResponse>[] = [];
  for (const client of ['c1', 'c2', 'c3']) {
    const first = h.call<JoinGroupResponse>(11, version, joinRequest(G, ''), client).response as JoinGroupResponse;
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.ok(first.memberId.startsWith(`${client}-`));
    ids.push(first.memberId);
    joins.push(h.call<JoinGroupResponse>(11, version, joinRequest(G, first.memberId), client));
  }
  assert.ok(
    joins.every((j) => j.response === undefined),
    'JoinGroup waits for the join phase',
  );
  h.advance(0);
  const responses = joins.map((j) => j.response as JoinGroupResponse);
  return { ids, responses };
}

test('three members join, the leader gets every member metadata, SyncGroup hands each exactly its partitions', () => {
  const h = new Harness(NO_DELAY);
  const { ids, responses } = stableGroupOfThree(h);
  assert.deepEqual(
    responses.map((r) => r.errorCode),
    [0, 0, 0],
  );
  assert.deepEqual(
    responses.map((r) => r.generationId),
    [1, 1, 1],
  );
  assert.ok(
    responses.every((r) => r.leader === ids[0] && r.protocolName === 'range'),
    'first joiner leads',
  );
  assert.deepEqual(
    responses[0].members.map((m) => m.memberId),
    ids,
  );
  assert.ok(responses[0].members.every((m) => m.metadata.equals(subscription(['orders']))));
  assert.deepEqual([responses[1].members.length, responses[2].members.length], [0, 0]);

  const followers = [1, 2].map((i) => h.call<SyncGroupResponse>(14, 3, syncRequest(G, ids[i], 1), `c${i + 1}`));
  assert.ok(
    followers.every((f) => f.response === undefined),
    'followers wait for the leader',
  );
  h.holdDurability = true;
  const leader = h.call<SyncGroupResponse>(14, 3, syncRequest(G, ids[0], 1, assignRoundRobin(ids, 6)), 'c1');
  assert.equal(leader.response, undefined, 'no answer before the assignment is durable');
  assert.equal(followers[0].response, undefined);
  h.releaseDurability();
  const got = [leader, ...followers].map((s) => JSON.parse((s.response as SyncGroupResponse).assignment.toString()));
  assert.deepEqual(got.flat().sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(got.every((a) => a.length === 2));
  assert.equal(h.coordinator.describeGroup(G)?.state, 'Stable');
});

test('a member leaving makes the others rejoin into a new generation', () => {
  const h = new Harness(NO_DELAY);
  const { ids } = stableGroupOfThree(h);
  h.call(14, 3, syncRequest(G, ids[0], 1, assignRoundRobin(ids, 6)));
  const leave = h.call<{ errorCode: number }>(13, 1, { groupId: G, memberId: ids[0], members: [] });
  assert.equal(leave.response?.errorCode, 0);
  assert.equal(
    h.call<{ errorCode: number }>(12, 3, heartbeatRequest(G, ids[1], 1)).response?.errorCode,
    ErrorCode.REBALANCE_IN_PROGRESS,
  );
  const rejoins = [1, 2].map((i) => h.call<JoinGroupResponse>(11, 5, joinRequest(G, ids[i])));
  const [a, b] = rejoins.map((r) => r.response as JoinGroupResponse);
  assert.deepEqual([a.generationId, b.generationId], [2, 2]);
  assert.equal(a.leader, ids[1], 'leadership passes to the first remaining member');
  assert.deepEqual(
    a.members.map((m) => m.memberId),
    [ids[1], ids[2]],
  );
});

test('a member that stops heartbeating is removed after its session timeout and the group rebalances', () => {
  const h = new Harness(NO_DELAY);
  const { ids } = stableGroupOfThree(h);
  h.call(14, 3, syncRequest(G, ids[0], 1, assignRoundRobin(ids, 6)));
  h.call(14, 3, syncRequest(G, ids[1], 1));
  h.call(14, 3, syncRequest(G, ids[2], 1));
  for (let t = 0; t < 2; t++) {
    h.advance(4_000);
    for (const id of ids.slice(0, 2))
      assert.equal(h.call<{ errorCode: number }>(12, 3, heartbeatRequest(G, id, 1)).response?.errorCode, 0);
  }
  h.advance(1_999);
  assert.equal(h.coordinator.describeGroup(G)?.state, 'Stable', 'within the 10 s session');
  h.advance(1);
  assert.equal(h.coordinator.describeGroup(G)?.state, 'PreparingRebalance', 'silent member expired (10 s session)');
  assert.equal(
    h.call<{ errorCode: number }>(12, 3, heartbeatRequest(G, ids[2], 1)).response?.errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  const rejoins = ids.slice(0, 2).map((id) => h.call<JoinGroupResponse>(11, 5, joinRequest(G, id)));
  assert.deepEqual(
    rejoins.map((r) => r.response?.generationId),
    [2, 2],
  );
  assert.equal(h.coordinator.describeGroup(G)?.members.length, 2);
});

test('a restarted static member gets its assignment back without a rebalance; its old id is fenced', () => {
  const h = new Harness(NO_DELAY);
  const join = (instance: string, memberId = '', version = 5) =>
    h.call<JoinGroupResponse>(11, version, joinRequest(G, memberId, { groupInstanceId: instance }), instance);
  const a = join('pod-a');
  const b = join('pod-b');
  h.advance(0);
  const [ra, rb] = [a.response as JoinGroupResponse, b.response as JoinGroupResponse];
  h.call(14, 5, syncRequest(G, ra.memberId, 1, assignRoundRobin([ra.memberId, rb.memberId], 6), 'pod-a'));
  const before = h.coordinator.describeGroup(G);

  const restarted = join('pod-b').response as JoinGroupResponse;
  assert.equal(restarted.errorCode, 0);
  assert.notEqual(restarted.memberId, rb.memberId);
  assert.equal(restarted.generationId, 1, 'same generation: no rebalance');
  assert.equal(h.coordinator.describeGroup(G)?.state, 'Stable');
  const sync = h.call<SyncGroupResponse>(14, 5, syncRequest(G, restarted.memberId, 1, [], 'pod-b'))
    .response as SyncGroupResponse;
  const oldAssignment = before?.members.find((m) => m.groupInstanceId === 'pod-b')?.assignment;
  assert.ok(sync.assignment.equals(oldAssignment as Buffer));
  assert.equal(
    h.call<{ errorCode: number }>(12, 3, heartbeatRequest(G, rb.memberId, 1, 'pod-b')).response?.errorCode,
    ErrorCode.FENCED_INSTANCE_ID,
  );

  // The leader restarting with v9 learns it leads but is told to skip the assignment (KIP-814).
  const leader = join('pod-a', '', 9).response as JoinGroupResponse;
  assert.equal(leader.leader, leader.memberId);
  assert.equal(leader.skipAssignment, true);
  assert.equal(leader.generationId, 1);
  // Before v9 a restarted leader is told the old leader id, so it does not assign.
  const older = join('pod-a', '', 5).response as JoinGroupResponse;
  assert.equal(older.leader, leader.memberId);
  assert.notEqual(older.memberId, leader.memberId);
});

test('a pending member that never rejoins lapses after the session timeout and stops blocking the rebalance', () => {
  const h = new Harness(NO_DELAY);
  const first = h.call<JoinGroupResponse>(11, 4, joinRequest(G, '')).response as JoinGroupResponse;
  h.call(11, 4, joinRequest(G, first.memberId));
  h.advance(0);
  h.call(14, 3, syncRequest(G, first.memberId, 1, assignRoundRobin([first.memberId], 6)));
  const pending = h.call<JoinGroupResponse>(11, 4, joinRequest(G, '', { sessionTimeoutMs: 7_000 })).response;
  assert.equal(pending?.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.equal(h.coordinator.stats().pendingMembers, 1);
  const rejoin = h.call<JoinGroupResponse>(11, 4, joinRequest(G, first.memberId));
  h.advance(6_999);
  assert.equal(rejoin.response, undefined, 'the rebalance waits for the pending member');
  h.advance(1);
  assert.equal((rejoin.response as JoinGroupResponse | undefined)?.generationId, 2);
  assert.equal(h.coordinator.stats().pendingMembers, 0);
});

test('JoinGroup before v4 never gets MEMBER_ID_REQUIRED', () => {
  const h = new Harness(NO_DELAY);
  for (const v of [0, 1, 2, 3]) {
    const group = `g${v}`;
    const r = h.call<JoinGroupResponse>(11, v, {
      ...joinRequest(group, ''),
      rebalanceTimeoutMs: v === 0 ? -1 : 30_000,
    });
    h.advance(0);
    assert.equal(r.response?.errorCode, 0, `v${v}`);
    assert.equal(r.response?.generationId, 1);
  }
});

test('the protocol is the one every member supports with the most first-choice votes', () => {
  const h = new Harness(NO_DELAY);
  const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(['orders']) }));
  const boxes = [p('range', 'roundrobin'), p('roundrobin', 'range', 'sticky'), p('sticky', 'roundrobin')].map(
    (protocols, i) => h.call<JoinGroupResponse>(11, 3, joinRequest(G, '', { protocols }), `c${i}`),
  );
  assert.equal(
    h.call<JoinGroupResponse>(11, 3, joinRequest(G, '', { protocols: p('cooperative') })).response?.errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  h.advance(0);
  // Candidates: roundrobin only (range and sticky are not supported by everyone); all vote for it.
  assert.deepEqual(
    boxes.map((b) => b.response?.protocolName),
    ['', 'roundrobin', 'roundrobin'].map(() => 'roundrobin'),
  );
  const h2 = new Harness(NO_DELAY);
  const votes = [p('range', 'roundrobin'), p('roundrobin', 'range'), p('roundrobin', 'range')].map((protocols, i) =>
    h2.call<JoinGroupResponse>(11, 3, joinRequest(G, '', { protocols }), `c${i}`),
  );
  h2.advance(0);
  assert.equal(votes[0].response?.protocolName, 'roundrobin', 'two votes beat one');
});

test('the initial rebalance waits group.initial.rebalance.delay.ms and extends it while members keep joining', () => {
  const h = new Harness({ config: { groupInitialRebalanceDelayMs: 3_000 } });
  const join = (c: string) => h.call<JoinGroupResponse>(11, 3, joinRequest(G, '', { rebalanceTimeoutMs: 10_000 }), c);
  const a = join('a');
  h.advance(2_000);
  const b = join('b');
  h.advance(2_000);
  const c = join('c');
  h.advance(4_999); // t = 8999: delays end at 3000 (extended), 6000 (extended), 9000
  assert.equal(a.response, undefined);
  h.advance(1);
  assert.deepEqual(
    [a, b, c].map((x) => x.response?.generationId),
    [1, 1, 1],
  );
  assert.equal((a.response as JoinGroupResponse | undefined)?.members.length, 3);
});

test('error codes as Kafka returns them, by version', () => {
  const h = new Harness({ config: { groupInitialRebalanceDelayMs: 0, groupMaxSize: 2 } });
  const code = (b: Box<{ errorCode: number }>) => b.response?.errorCode;
  assert.equal(code(h.call(11, 5, joinRequest(G, '', { sessionTimeoutMs: 1_000 }))), ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal(code(h.call(11, 5, joinRequest('', ''))), ErrorCode.INVALID_GROUP_ID);
  assert.equal(code(h.call(11, 5, joinRequest('nobody', 'ghost-1'))), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(code(h.call(11, 5, joinRequest(G, '', { protocols: [] }))), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const a = h.call<JoinGroupResponse>(11, 3, joinRequest(G, ''), 'a');
  const b = h.call<JoinGroupResponse>(11, 3, joinRequest(G, ''), 'b');
  h.advance(0);
  assert.equal(code(h.call(11, 3, joinRequest(G, ''), 'c')), ErrorCode.GROUP_MAX_SIZE_REACHED);
  const [ida, idb] = [a.response?.memberId as string, b.response?.memberId as string];
  assert.equal(code(h.call(12, 3, heartbeatRequest(G, ida, 7))), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(code(h.call(14, 3, syncRequest(G, ida, 7))), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(
    code(h.call(14, 5, { ...syncRequest(G, ida, 1), protocolType: 'connect' })),
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  const commit = (gen: number, member: string, v = 7) =>
    h.call<{ topics: { partitions: { errorCode: number }[] }[] }>(8, v, {
      groupId: G,
      generationIdOrMemberEpoch: gen,
      memberId: member,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 5n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    }).response?.topics[0].partitions[0].errorCode;
  assert.equal(commit(1, ida), ErrorCode.REBALANCE_IN_PROGRESS, 'CompletingRebalance');
  assert.equal(commit(-1, ''), ErrorCode.UNKNOWN_MEMBER_ID, 'simple commit into a non-empty group');
  assert.equal(
    h.call<{ results: { errorCode: number }[] }>(42, 2, { groupsNames: [G] }).response?.results[0].errorCode,
    ErrorCode.NON_EMPTY_GROUP,
  );
  assert.equal(
    h.call<{ results: { errorCode: number }[] }>(42, 2, { groupsNames: ['nope'] }).response?.results[0].errorCode,
    ErrorCode.GROUP_ID_NOT_FOUND,
  );
  h.call(14, 3, syncRequest(G, ida, 1, assignRoundRobin([ida, idb], 6)));
  h.call(13, 1, { groupId: G, memberId: idb, members: [] });
  assert.equal(code(h.call(12, 3, heartbeatRequest(G, ida, 1))), ErrorCode.REBALANCE_IN_PROGRESS);
  assert.equal(
    code(h.call(13, 0, { groupId: G, memberId: 'ghost', members: [] })),
    ErrorCode.UNKNOWN_MEMBER_ID,
    'v0: member error on top',
  );
  const v3 = h.call<{ errorCode: number; members: { errorCode: number }[] }>(13, 3, {
    groupId: G,
    memberId: '',
    members: [{ memberId: '', groupInstanceId: 'none', reason: null }],
  });
  assert.deepEqual([v3.response?.errorCode, v3.response?.members[0].errorCode], [0, ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(commit(3, 'x', 9), ErrorCode.UNKNOWN_MEMBER_ID);
  const unknownGroupCommit = (v: number) =>
    h.call<{ topics: { partitions: { errorCode: number }[] }[] }>(8, v, {
      groupId: 'fresh',
      generationIdOrMemberEpoch: 4,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    }).response?.topics[0].partitions[0].errorCode;
  assert.equal(unknownGroupCommit(8), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(unknownGroupCommit(9), ErrorCode.GROUP_ID_NOT_FOUND);

  const loading = new Harness({}, false);
  assert.equal(code(loading.call(12, 3, heartbeatRequest(G, 'm', 1))), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal(
    code(loading.call(16, 4, { statesFilter: [], typesFilter: [] })),
    ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  );
});
