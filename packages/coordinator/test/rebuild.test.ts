// Rebuild from the log: after ANY prefix of a random run (joins, crashes, leaves, commits, deletes, time passing),
// a coordinator fed only the records written so far holds the same committed offsets, and the same group
// (generation, protocol, leader, members with metadata and assignment) wherever the live group is at rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { GroupCoordinator } from '../src/index.ts';
import { Harness, SimConsumer } from './harness.ts';

const GROUPS = ['alpha', 'beta'];

function restingView(c: GroupCoordinator, groupId: string) {
  const g = c.describeGroup(groupId);
  if (g === undefined) return undefined;
  return { ...g, pendingMembers: 0 };
}

function assertRebuildMatches(h: Harness): void {
  const rebuilt = h.rebuild();
  const live = h.coordinator;
  const key = (o: { groupId: string; topic: string; partition: number }) => `${o.groupId}/${o.topic}/${o.partition}`;
  const sortOffsets = (c: GroupCoordinator) => c.listCommittedOffsets().sort((a, b) => key(a).localeCompare(key(b)));
  assert.deepEqual(sortOffsets(rebuilt), sortOffsets(live));
  for (const groupId of GROUPS) {
    const g = live.describeGroup(groupId);
    if (g === undefined) {
      assert.equal(rebuilt.describeGroup(groupId), undefined, groupId);
    } else if (g.state === 'Stable' || (g.state === 'Empty' && g.generationId > 0)) {
      assert.deepEqual(restingView(rebuilt, groupId), restingView(live, groupId), groupId);
    }
  }
}

test('a rebuild from the records after any prefix of a random run equals the live state', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
    fc.record({ kind: fc.constantFrom('join' as const, 'crash' as const, 'leave' as const), who: fc.nat(5) }),
    fc.record({ kind: fc.constant('commit' as const), who: fc.nat(5), offset: fc.bigInt({ min: 0n, max: 1000n }) }),
    fc.record({
      kind: fc.constantFrom('deleteGroup' as const, 'deleteOffsets' as const, 'simpleCommit' as const),
      group: fc.nat(1),
    }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const h = new Harness({
        config: {
          groupInitialRebalanceDelayMs: 1_000,
          offsetsRetentionMs: 40_000,
          offsetsRetentionCheckIntervalMs: 5_000,
        },
      });
      const consumers = Array.from(
        { length: 6 },
        (_, i) => new SimConsumer(h, GROUPS[i % 2], `c${i}`, i % 3 === 0 ? 3 : 5, i === 5 ? 'static-5' : null),
      );
      for (const o of ops) {
        if (o.kind === 'time') h.advance(o.ms);
        else if (o.kind === 'join' && (consumers[o.who].phase === 'idle' || consumers[o.who].phase === 'crashed'))
          consumers[o.who].join();
        else if (o.kind === 'crash') consumers[o.who].crash();
        else if (o.kind === 'leave') consumers[o.who].leave();
        else if (o.kind === 'commit') {
          const c = consumers[o.who];
          h.call(8, 7, {
            groupId: c.groupId,
            generationIdOrMemberEpoch: c.generationId,
            memberId: c.memberId,
            groupInstanceId: null,
            retentionTimeMs: -1n,
            topics: [
              {
                name: 'orders',
                partitions: [
                  {
                    partitionIndex: o.who,
                    committedOffset: o.offset,
                    committedLeaderEpoch: 1,
                    commitTimestamp: -1n,
                    committedMetadata: `by ${c.clientId}`,
                  },
                ],
              },
            ],
          });
        } else if (o.kind === 'simpleCommit') {
          h.call(8, 2, {
            groupId: GROUPS[o.group],
            generationIdOrMemberEpoch: -1,
            memberId: '',
            groupInstanceId: null,
            retentionTimeMs: 20_000n,
            topics: [
              {
                name: 'audit',
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
          });
        } else if (o.kind === 'deleteGroup') h.call(42, 2, { groupsNames: [GROUPS[o.group]] });
        else if (o.kind === 'deleteOffsets')
          h.call(47, 0, {
            groupId: GROUPS[o.group],
            topics: [{ name: 'orders', partitions: [0, 1, 2, 3, 4, 5].map((partitionIndex) => ({ partitionIndex })) }],
          });
        for (const c of consumers) c.step();
        assertRebuildMatches(h);
      }
    }),
    { numRuns: 40, seed: 20261124 },
  );
});
