// 100 classic groups x 3 members churning against `sluice broker` for a bounded time, over the wire with the
// project's codec: members join (KIP-394 two-step), sync, heartbeat, commit, leave, and some vanish without leaving
// (evicted after their session timeout). Proves: every JoinGroup/SyncGroup is answered (none waits past the
// rebalance timeout plus slack: a stuck rebalance fails the test), every group ends Empty once the members are gone,
// and the broker's memory stays bounded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const GROUPS = 100;
const MEMBERS = 3;
const CHURN_MS = 15_000;
// group.min.session.timeout.ms default: a vanished member is evicted after this.
const SESSION_MS = 6_000;
const REBALANCE_MS = 5_000;
// The longest any answer may take: a JoinGroup waits at most the rebalance timeout (plus the session timeout of a
// vanished member being evicted); anything slower is a stuck rebalance.
const ANSWER_BOUND_MS = REBALANCE_MS + SESSION_MS + 10_000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ANSWER_BOUND_MS} ms`)), ANSWER_BOUND_MS);
    }),
  ]);
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Counters {
  generations: number;
  commits: number;
  leaves: number;
  vanished: number;
}

async function churnMember(port: number, groupId: string, deadline: number, n: Counters): Promise<void> {
  let c = await WireClient.connect(port);
  let memberId = '';
  try {
    while (Date.now() < deadline) {
      const joined = await within(
        c.send<{ errorCode: number; memberId: string; generationId: number; leader: string; members: unknown[] }>(
          11,
          5,
          {
            groupId,
            sessionTimeoutMs: SESSION_MS,
            rebalanceTimeoutMs: REBALANCE_MS,
            memberId,
            groupInstanceId: null,
            protocolType: 'consumer',
            protocols: [{ name: 'range', metadata: Buffer.from('m') }],
          },
        ),
        `JoinGroup ${groupId}`,
      );
      if (joined.errorCode === 79) {
        memberId = joined.memberId;
        continue;
      }
      if (joined.errorCode === 25) memberId = '';
      if (joined.errorCode !== 0) continue;
      const generationId = joined.generationId;
      const assignments =
        joined.leader === memberId
          ? (joined.members as Array<{ memberId: string }>).map((m) => ({
              memberId: m.memberId,
              assignment: Buffer.from('a'),
            }))
          : [];
      const synced = await within(
        c.send<{ errorCode: number }>(14, 3, { groupId, generationId, memberId, groupInstanceId: null, assignments }),
        `SyncGroup ${groupId}`,
      );
      if (synced.errorCode !== 0) continue;
      n.generations++;
      const beats = 1 + Math.floor(Math.random() * 5);
      let rejoin = false;
      for (let i = 0; i < beats && !rejoin && Date.now() < deadline; i++) {
        await sleep(100 + Math.random() * 200);
        const hb = await within(
          c.send<{ errorCode: number }>(12, 3, { groupId, generationId, memberId, groupInstanceId: null }),
          `Heartbeat ${groupId}`,
        );
        rejoin = hb.errorCode !== 0;
        if (!rejoin) {
          const r = await within(
            c.send<{ topics: Array<{ partitions: Array<{ errorCode: number }> }> }>(8, 7, {
              groupId,
              generationIdOrMemberEpoch: generationId,
              memberId,
              groupInstanceId: null,
              retentionTimeMs: -1n,
              topics: [
                {
                  name: 'churn',
                  partitions: [
                    {
                      partitionIndex: 0,
                      committedOffset: BigInt(i),
                      committedLeaderEpoch: -1,
                      commitTimestamp: -1n,
                      committedMetadata: '',
                    },
                  ],
                },
              ],
            }),
            `OffsetCommit ${groupId}`,
          );
          if (r.topics[0].partitions[0].errorCode === 0) n.commits++;
        }
      }
      if (rejoin) continue;
      const dice = Math.random();
      if (dice < 0.2) {
        await within(c.send(13, 3, { groupId, memberId: '', members: [{ memberId, groupInstanceId: null }] }), 'Leave');
        n.leaves++;
        memberId = '';
      } else if (dice < 0.25) {
        // Vanish: a new connection and a new member; the old one is evicted after its session timeout.
        c.close();
        c = await WireClient.connect(port);
        n.vanished++;
        memberId = '';
      }
    }
    if (memberId !== '') {
      await within(c.send(13, 3, { groupId, memberId: '', members: [{ memberId, groupInstanceId: null }] }), 'Leave');
    }
  } finally {
    c.close();
  }
}

describe('group churn', { timeout: 120_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ set: { 'sluice.shards': '2', 'group.initial.rebalance.delay.ms': '0' } });
  });
  after(async () => {
    await broker?.dispose();
  });

  test('100 groups x 3 members churning: every rebalance completes, groups end Empty, memory bounded', async (t) => {
    const admin = await WireClient.connect(broker.port);
    try {
      await createTopic(admin, 'churn', 1);
      for (let i = 0; ; i++) {
        const f = await admin.send<{ coordinators: Array<{ errorCode: number }> }>(10, 4, {
          coordinatorKeys: ['g0'],
          keyType: 0,
          key: '',
        });
        if (f.coordinators[0].errorCode === 0) break;
        assert.ok(i < 100, 'coordinator found');
        await sleep(100);
      }
      const rssBefore = rssBytes(broker.child.pid!);
      const n: Counters = { generations: 0, commits: 0, leaves: 0, vanished: 0 };
      const deadline = Date.now() + CHURN_MS;
      const members: Promise<void>[] = [];
      for (let g = 0; g < GROUPS; g++) {
        for (let m = 0; m < MEMBERS; m++) members.push(churnMember(broker.port, `g${g}`, deadline, n));
      }
      await Promise.all(members);
      assert.ok(n.generations > GROUPS * 2, `generations completed: ${n.generations}`);
      assert.ok(n.commits > 0 && n.leaves > 0 && n.vanished > 0, JSON.stringify(n));

      // Vanished members are evicted after their session timeout; then every group is Empty.
      let states: Map<string, string> = new Map();
      for (let i = 0; i < 200; i++) {
        const listed = await admin.send<{ errorCode: number; groups: Array<{ groupId: string; groupState: string }> }>(
          16,
          4,
          { statesFilter: [], typesFilter: [] },
        );
        states = new Map(listed.groups.map((x) => [x.groupId, x.groupState]));
        if (states.size === GROUPS && [...states.values()].every((s) => s === 'Empty')) break;
        await sleep(100);
      }
      assert.equal(states.size, GROUPS);
      assert.deepEqual(
        [...states].filter(([, s]) => s !== 'Empty'),
        [],
        'every group ends Empty',
      );
      const grown = rssBytes(broker.child.pid!) - rssBefore;
      t.diagnostic(`${JSON.stringify(n)}; broker RSS grew by ${Math.round(grown / 1048576)} MiB`);
      assert.ok(grown < 200 * 1024 * 1024, `broker RSS grew by ${Math.round(grown / 1048576)} MiB`);
      assert.doesNotMatch(broker.stderr(), /request failed|load failed|append failed/);
    } finally {
      admin.close();
    }
  });
});
