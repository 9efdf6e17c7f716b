// KafkaJS 2.2.4 (non-flexible versions only: Produce 7, Fetch 11, ListOffsets 3, Metadata 6, CreateTopics 3,
// DeleteTopics 1) against a real `sluice broker` process. KafkaJS has no group-less consumer and consumer groups
// are not served yet, so records are read back with Fetch v11 (what KafkaJS's consumer sends) and decoded here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { WireClient } from './support/wire-client.ts';

describe('KafkaJS against sluice broker', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker({ set: { 'sluice.shards': '2' } });
    kafka = new Kafka({ clientId: 'sluice-kafkajs-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await broker?.dispose();
  });

  test('creates a 3-partition topic, produces keyed messages with headers, reads them back byte-exact', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      assert.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }), true);
      const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
      assert.equal(meta.topics[0].partitions.length, 3);

      const sent = new Map<number, Array<{ key: string; value: Buffer; header: string }>>();
      for (const [round, compression] of [
        CompressionTypes.None,
        CompressionTypes.GZIP,
        CompressionTypes.None,
      ].entries()) {
        const messages = Array.from({ length: 30 }, (_, i) => {
          const partition = i % 3;
          const value = Buffer.from(Array.from({ length: 64 + i }, (_, j) => (j * 7 + i + round) & 0xff));
          return { key: `k${round}-${i}`, value, partition, headers: { trace: `t${round}-${i}` } };
        });
        const acks = await producer.send({ topic: 'orders', compression, acks: -1, messages });
        assert.equal(acks.length, 3);
        for (const ack of acks) assert.equal(ack.errorCode, 0);
        for (const m of messages) {
          const list = sent.get(m.partition) ?? [];
          list.push({ key: m.key, value: m.value, header: m.headers.trace });
          sent.set(m.partition, list);
        }
      }
      const client = await WireClient.connect(broker.port);
      try {
        for (let partition = 0; partition < 3; partition++) {
          const got = await fetchAll(client, 'orders', partition);
          const want = sent.get(partition)!;
          assert.deepEqual(
            got.map((r) => r.offset),
            want.map((_, i) => i),
            'offsets are contiguous from 0',
          );
          assert.deepEqual(
            got.map((r) => ({
              key: r.key!.toString(),
              value: Buffer.from(r.value!),
              header: r.headers[0].value!.toString(),
            })),
            want,
          );
        }
      } finally {
        client.close();
      }

      const offsets = await admin.fetchTopicOffsets('orders');
      assert.deepEqual(
        offsets.map((o) => [o.partition, o.low, o.high]).sort(),
        [0, 1, 2].map((p) => [p, '0', String(sent.get(p)!.length)]),
      );
      const byTime = await admin.fetchTopicOffsetsByTimestamp('orders', Date.now() + 3_600_000);
      for (const o of byTime)
        assert.equal(o.offset, String(sent.get(o.partition)!.length), 'no record that late: the end');

      await admin.deleteTopics({ topics: ['orders'] });
      assert.deepEqual(await admin.listTopics(), []);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  test('a 900 KiB message makes the round trip; one over message.max.bytes is refused with MESSAGE_TOO_LARGE', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'big', numPartitions: 1 }] });
      const value = Buffer.alloc(900 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
      await producer.send({ topic: 'big', acks: -1, messages: [{ key: 'big', value }] });
      const client = await WireClient.connect(broker.port);
      try {
        const got = await fetchAll(client, 'big', 0);
        assert.equal(got.length, 1);
        assert.ok(Buffer.from(got[0].value!).equals(value), '900 KiB value comes back byte-exact');
      } finally {
        client.close();
      }
      await assert.rejects(
        producer.send({ topic: 'big', acks: -1, messages: [{ value: Buffer.alloc(1_100_000, 1) }] }),
        (err: Error & { type?: string }) => err.type === 'MESSAGE_TOO_LARGE',
      );
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
