// The classic group protocol over the wire, differential: one scripted scenario (FindCoordinator, JoinGroup with
// KIP-394's MEMBER_ID_REQUIRED at v4+ and without it at v3, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch v7 and
// v8 multi-group, a second member forcing a rebalance, LeaveGroup, DescribeGroups, ListGroups, DeleteGroups, and the
// errors for a wrong generation and an unknown member) runs against `sluice broker` and a real Kafka 4.x single
// node with the project's codec; the normalised answers (member ids by order of appearance, no host/port/node) must
// be the same. One connection per member: a parked JoinGroup holds back later answers on its connection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type KafkaReference, kafkaAvailable, skipUnlessInstalled, startKafka } from '@sluice/testkit';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const PROTOCOLS = [{ name: 'range', metadata: Buffer.from([0, 1, 2, 3]) }];

function join(groupId: string, memberId: string) {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: PROTOCOLS,
    reason: null,
  };
}

type Step = [string, unknown];

/** Replaces member ids by m1, m2, ... (in order of appearance) and drops what differs by nature between brokers. */
function normalise(steps: Step[]): Step[] {
  const ids = new Map<string, string>();
  const walk = (v: unknown, key = ''): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (Buffer.isBuffer(v)) return v.toString('hex');
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (['nodeId', 'host', 'port', 'throttleTimeMs', 'errorMessage', 'authorizedOperations'].includes(k)) continue;
        out[k] = walk(x, k);
      }
      return out;
    }
    if (typeof v === 'string' && ['memberId', 'leader'].includes(key) && v !== '') {
      if (!ids.has(v)) ids.set(v, `m${ids.size + 1}`);
      return ids.get(v);
    }
    return v;
  };
  // Kafka keeps members in a HashMap and merges multi-group answers per coordinator partition: neither order is a
  // contract (clients match by id), so lists of members and of groups are compared sorted.
  const sortLists = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(sortLists);
      const by = (k: string) => (x: unknown) => String((x as Record<string, unknown>)[k]);
      const first = items[0] as Record<string, unknown> | undefined;
      for (const k of ['memberId', 'groupId', 'name', 'partitionIndex']) {
        if (first !== null && typeof first === 'object' && k in first) {
          return items.sort((x, y) => by(k)(x).localeCompare(by(k)(y), 'en', { numeric: true }));
        }
      }
      return items;
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortLists(x)]));
    }
    return v;
  };
  return steps.map(([name, body]) => [name, sortLists(walk(body))]);
}

async function scenario(port: number): Promise<Step[]> {
  const admin = await WireClient.connect(port);
  const a = await WireClient.connect(port);
  const b = await WireClient.connect(port);
  const steps: Step[] = [];
  const rec = async <T>(name: string, p: Promise<T>): Promise<T> => {
    const r = await p;
    steps.push([name, r]);
    return r;
  };
  try {
    await createTopic(admin, 'dt', 2);
    // Not recorded: both brokers create __consumer_offsets on first use and load its coordinators, answering
    // COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS meanwhile (at their own pace).
    for (let i = 0; ; i++) {
      const f = await admin.send<{ coordinators: Array<{ errorCode: number }> }>(10, 4, {
        key: '',
        keyType: 0,
        coordinatorKeys: ['diff', 'old', 'none'],
      });
      const fetches = await Promise.all(
        ['diff', 'old', 'none'].map((groupId) =>
          admin.send<{ errorCode: number }>(9, 7, { groupId, topics: null, requireStable: false, groups: [] }),
        ),
      );
      if (f.coordinators.every((c) => c.errorCode === 0) && fetches.every((x) => x.errorCode === 0)) break;
      if (i === 300) throw new Error('coordinators not ready after 300 tries');
      await new Promise((r) => setTimeout(r, 100));
    }
    await rec('find', admin.send(10, 4, { key: '', keyType: 0, coordinatorKeys: ['diff', 'old'] }));
    // JoinGroup v3: no KIP-394, a new member joins at once and leads generation 1.
    const old = await admin.send<{ memberId: string }>(11, 3, join('old', ''));
    steps.push(['join v3 new member', old]);
    await rec('leave v2 old', admin.send(13, 2, { groupId: 'old', memberId: old.memberId, members: [] }));

    const first = await rec('join v5 new member', a.send<{ memberId: string }>(11, 5, join('diff', '')));
    const m1 = first.memberId;
    const joined = await rec('join v5 with id', a.send<{ generationId: number }>(11, 5, join('diff', m1)));
    const gen = joined.generationId;
    const sync = (memberId: string, generationId: number, assignments: unknown[]) => ({
      groupId: 'diff',
      generationId,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments,
    });
    const assignment = [{ memberId: m1, assignment: Buffer.from('p0p1') }];
    await rec('sync wrong generation', a.send(14, 3, sync(m1, gen + 1, assignment)));
    await rec('sync unknown member', admin.send(14, 3, sync('nobody', gen, [])));
    await rec('sync', a.send(14, 3, sync(m1, gen, assignment)));
    const hb = (memberId: string, generationId: number) => ({
      groupId: 'diff',
      generationId,
      memberId,
      groupInstanceId: null,
    });
    await rec('heartbeat', a.send(12, 3, hb(m1, gen)));
    await rec('heartbeat wrong generation', a.send(12, 3, hb(m1, gen + 5)));
    await rec('heartbeat unknown member', admin.send(12, 3, hb('nobody', gen)));
    const commit = (memberId: string, generationIdOrMemberEpoch: number, offset: bigint) => ({
      groupId: 'diff',
      generationIdOrMemberEpoch,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 'dt',
          partitions: [0, 1].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: offset + BigInt(partitionIndex),
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: `meta-${partitionIndex}`,
          })),
        },
      ],
    });
    await rec('commit', a.send(8, 7, commit(m1, gen, 10n)));
    await rec('commit wrong generation', a.send(8, 7, commit(m1, gen + 1, 20n)));
    await rec('commit unknown member', admin.send(8, 7, commit('nobody', gen, 30n)));
    const unknownTopic = { ...commit(m1, gen, 50n), topics: [{ ...commit(m1, gen, 50n).topics[0], name: 'nope' }] };
    await rec('commit unknown topic', a.send(8, 7, unknownTopic));
    const mixed = commit(m1, gen, 60n);
    mixed.topics[0].partitions[1].partitionIndex = 7;
    await rec('commit unknown partition', a.send(8, 7, mixed));
    await rec(
      'fetch v7',
      admin.send(9, 7, {
        groupId: 'diff',
        topics: [{ name: 'dt', partitionIndexes: [0, 1] }],
        requireStable: true,
        groups: [],
      }),
    );
    await rec(
      'fetch v8 two groups',
      admin.send(9, 8, {
        groupId: '',
        topics: [],
        requireStable: false,
        groups: [
          { groupId: 'diff', memberId: null, memberEpoch: -1, topics: null },
          { groupId: 'none', memberId: null, memberEpoch: -1, topics: [{ name: 'dt', partitionIndexes: [0] }] },
        ],
      }),
    );

    // A second member: its JoinGroup waits for the rebalance; the first learns of it by heartbeat and rejoins.
    const second = await rec('join v5 second member', b.send<{ memberId: string }>(11, 5, join('diff', '')));
    const m2 = second.memberId;
    const parked = b.send<{ generationId: number }>(11, 5, join('diff', m2));
    let beat: { errorCode: number } = { errorCode: 0 };
    for (let i = 0; i < 100 && beat.errorCode === 0; i++) {
      beat = await a.send<{ errorCode: number }>(12, 3, hb(m1, gen));
      if (beat.errorCode === 0) await new Promise((r) => setTimeout(r, 50));
    }
    steps.push(['heartbeat during rebalance', beat]);
    const rejoined = await rec('rejoin first', a.send<{ generationId: number }>(11, 5, join('diff', m1)));
    steps.push(['second joined', await parked]);
    const gen2 = rejoined.generationId;
    await rec(
      'sync leader gen 2',
      a.send(
        14,
        3,
        sync(m1, gen2, [
          { memberId: m1, assignment: Buffer.from('p0') },
          { memberId: m2, assignment: Buffer.from('p1') },
        ]),
      ),
    );
    await rec('sync follower gen 2', b.send(14, 3, sync(m2, gen2, [])));
    await rec('commit old generation', a.send(8, 7, commit(m1, gen, 40n)));
    await rec('describe', admin.send(15, 5, { groups: ['diff', 'none'], includeAuthorizedOperations: false }));
    await rec(
      'leave v3 second',
      b.send(13, 3, {
        groupId: 'diff',
        memberId: '',
        members: [{ memberId: m2, groupInstanceId: null, reason: null }],
      }),
    );
    await rec('delete non-empty', admin.send(42, 2, { groupsNames: ['diff'] }));
    await rec(
      'leave v4 first',
      a.send(13, 4, {
        groupId: 'diff',
        memberId: '',
        members: [{ memberId: m1, groupInstanceId: null, reason: null }],
      }),
    );
    const listed = await admin.send<{ groups: Array<{ groupId: string }> }>(16, 4, {
      statesFilter: ['Empty'],
      typesFilter: [],
    });
    listed.groups.sort((x, y) => x.groupId.localeCompare(y.groupId));
    steps.push(['list empty groups', listed]);
    await rec(
      'offset delete',
      admin.send(47, 0, {
        groupId: 'diff',
        topics: [
          { name: 'dt', partitions: [{ partitionIndex: 1 }] },
          { name: 'nope', partitions: [{ partitionIndex: 0 }] },
        ],
      }),
    );
    await rec('delete', admin.send(42, 2, { groupsNames: ['diff', 'none'] }));
    await rec(
      'fetch after delete',
      admin.send(9, 7, { groupId: 'diff', topics: null, requireStable: false, groups: [] }),
    );
    return steps;
  } finally {
    for (const c of [admin, a, b]) c.close();
  }
}

describe('classic group protocol, differential against Kafka', {
  skip: skipUnlessInstalled(kafkaAvailable(), "Kafka's jars"),
  timeout: 150_000,
}, () => {
  let broker: BrokerProcess;
  let kafka: KafkaReference;
  before(async () => {
    [broker, kafka] = await Promise.all([
      startBroker({ set: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '4' } }),
      startKafka({ config: { 'offsets.topic.num.partitions': 4 } }),
    ]);
  });
  after(async () => {
    await Promise.all([broker?.dispose(), kafka?.stop()]);
  });

  test('the scripted group scenario gives the same answers', async () => {
    const ours = normalise(await scenario(broker.port));
    const theirs = normalise(await scenario(kafka.port));
    assert.deepEqual(ours, theirs);
  });
});
