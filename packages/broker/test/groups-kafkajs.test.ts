// Consumer groups end to end with KafkaJS 2.2.4 (FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3,
// LeaveGroup v2, OffsetCommit v5, OffsetFetch v4) against a real `sluice broker` process with the default 50
// __consumer_offsets partitions: three members split a 6-partition topic, a leaving member hands its partitions
// over, and a new member resumes after the committed offsets. Then the broker restarts (clean stop, then kill -9)
// and committed offsets and the group survive.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MetadataResponse } from '@sluice/protocol';
import { type Consumer, type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { WireClient } from './support/wire-client.ts';

const TOPIC = 'orders';
const GROUP = 'billing';

interface Seen {
  member: number;
  partition: number;
  offset: number;
}

/** Resolves when `cond` holds, polling every 50 ms; rejects after `ms`. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('consumer groups with KafkaJS', { timeout: 150_000 }, () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  const settings = { 'sluice.shards': '2', 'group.initial.rebalance.delay.ms': '0' };

  before(async () => {
    broker = await startBroker({ set: settings });
    kafka = new Kafka({ clientId: 'groups-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });
    await admin.disconnect();
  });
  after(async () => {
    await broker?.dispose();
  });

  async function produce(count: number, tag: string): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({ partition: i % 6, value: `${tag}-${i}` })),
    });
    await producer.disconnect();
  }

  async function committed(): Promise<number[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const r = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      return r[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
    } finally {
      await admin.disconnect();
    }
  }

  /** A group member recording what it consumes and the partitions of its latest assignment. */
  async function member(index: number, seen: Seen[], assigned: Map<number, number[]>): Promise<Consumer> {
    // maxWaitTimeInMs 500: KafkaJS heartbeats between fetches, so a 5 s long poll would make every rebalance 5 s.
    const c = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
    c.on(c.events.GROUP_JOIN, (e) => assigned.set(index, e.payload.memberAssignment[TOPIC] ?? []));
    await c.connect();
    await c.subscribe({ topic: TOPIC, fromBeginning: true });
    await c.run({
      autoCommitInterval: 100,
      eachMessage: async ({ partition, message }: EachMessagePayload) => {
        seen.push({ member: index, partition, offset: Number(message.offset) });
      },
    });
    return c;
  }

  test('three members split six partitions, each message is consumed once, a leaver hands over', async () => {
    const seen: Seen[] = [];
    const assigned = new Map<number, number[]>();
    const members = [await member(0, seen, assigned), await member(1, seen, assigned), await member(2, seen, assigned)];
    try {
      const stable = (count: number) => () => {
        const all = [...assigned.values()].flat().sort();
        return (
          assigned.size === count && [...assigned.values()].every((p) => p.length > 0) && all.join() === '0,1,2,3,4,5'
        );
      };
      await until('three members sharing all six partitions', stable(3));
      await produce(600, 'a');
      await until('600 messages consumed', () => seen.length >= 600);
      const keys = seen.map((s) => `${s.partition}:${s.offset}`);
      assert.equal(new Set(keys).size, 600, 'no message delivered twice');
      for (const s of seen) assert.ok(assigned.get(s.member)!.includes(s.partition), 'consumed by its owner');
      await until('commits reach the log end', async () => (await committed()).every((o) => o === 100));

      const leaverPartitions = assigned.get(2)!;
      await members[2].disconnect();
      assigned.delete(2);
      await until('two members take over the leaver partitions', stable(2));
      const before = seen.length;
      await produce(60, 'b');
      await until('60 more consumed', () => seen.length >= before + 60);
      const after = seen.slice(before);
      assert.equal(new Set(after.map((s) => `${s.partition}:${s.offset}`)).size, 60);
      assert.ok(after.every((s) => s.member !== 2 && s.offset >= 100));
      assert.ok(
        after.some((s) => leaverPartitions.includes(s.partition)),
        "the leaver's partitions are consumed",
      );
      await until('commits reach 110', async () => (await committed()).every((o) => o === 110));
    } finally {
      for (const m of members.slice(0, 2)) await m.disconnect();
    }
  });

  async function resumesAfterCommitted(tag: string, expectFrom: number): Promise<void> {
    await produce(12, tag);
    const seen: Seen[] = [];
    const c = await member(9, seen, new Map());
    try {
      await until(`12 new messages (${tag})`, () => seen.length >= 12);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(seen.length, 12, 'nothing committed is delivered again');
      assert.ok(seen.every((s) => s.offset >= expectFrom));
      await until('commits advance', async () => (await committed()).every((o) => o === expectFrom + 2));
    } finally {
      await c.disconnect();
    }
  }

  test('a new member resumes after the committed offsets', async () => {
    await resumesAfterCommitted('c', 110);
  });

  test('committed offsets and the group survive a clean restart and a kill -9', async () => {
    const { dataDir, port } = broker;
    await broker.stop();
    broker = await startBroker({ dataDir, port, set: settings });
    const admin = kafka.admin();
    await admin.connect();
    const groups = await admin.listGroups();
    assert.deepEqual(groups.groups, [{ groupId: GROUP, protocolType: 'consumer' }]);
    await admin.disconnect();
    assert.deepEqual(await committed(), [112, 112, 112, 112, 112, 112]);
    const wire = await WireClient.connect(port);
    try {
      const all = await wire.send<MetadataResponse>(3, 9, {
        topics: null,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      const offsets = all.topics.find((t) => t.name === '__consumer_offsets');
      assert.equal(offsets?.isInternal, true, '__consumer_offsets is listed as internal');
      assert.equal(offsets?.partitions.length, 50, 'offsets.topic.num.partitions');
    } finally {
      wire.close();
    }
    await resumesAfterCommitted('d', 112);

    await broker.kill();
    broker = await startBroker({ dataDir, port, set: settings });
    assert.deepEqual(await committed(), [114, 114, 114, 114, 114, 114]);
    await resumesAfterCommitted('e', 114);
  });
});
