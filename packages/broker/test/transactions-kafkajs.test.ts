// Transactions end to end with KafkaJS 2.2.4 (FindCoordinator key type 1, InitProducerId with a transactional id,
// AddPartitionsToTxn v1, EndTxn v1, Fetch isolation levels) against a real `sluice broker` process with 2 shards
// (markers cross shards through the main thread): committed transactions are visible to a read_committed consumer
// and aborted ones are not, read_uncommitted sees both, a zombie holding an old epoch is fenced, and a transaction
// left open past its transaction.timeout.ms is aborted by the coordinator (the lastStableOffset moves past it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ListOffsetsResponse } from '@sluice/protocol';
import { type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { WireClient } from './support/wire-client.ts';

const TOPIC = 'payments';
const PARTITIONS = 3;

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('transactions with KafkaJS', { timeout: 240_000 }, () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];

  before(async () => {
    broker = await startBroker({
      set: {
        'sluice.shards': '2',
        'group.initial.rebalance.delay.ms': '0',
        // The coordinator looks for timed-out transactions every 500 ms instead of 10 s.
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
      },
    });
    kafka = new Kafka({ clientId: 'txn-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
  });
  after(async () => {
    for (const c of consumers) await c.disconnect().catch(() => {});
    for (const p of producers) await p.disconnect().catch(() => {});
    if (process.env.TXN_DEBUG) console.log(broker?.stderr());
    await broker?.dispose();
  });

  async function transactionalProducer(transactionalId: string, transactionTimeout = 60_000): Promise<Producer> {
    const p = kafka.producer({ transactionalId, transactionTimeout, maxInFlightRequests: 1, idempotent: true });
    producers.push(p);
    await p.connect();
    return p;
  }

  async function inTransaction(p: Producer, tag: string, commit: boolean): Promise<void> {
    const txn = await p.transaction();
    await txn.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % PARTITIONS, value: `${tag}-${i}` })),
    });
    if (commit) await txn.commit();
    else await txn.abort();
  }

  /** ListOffsets latest: the highWatermark (read_uncommitted) or the lastStableOffset (read_committed). */
  async function latestOffsets(isolationLevel: 0 | 1): Promise<number[]> {
    const wire = await WireClient.connect(broker.port);
    try {
      const r = await wire.send<ListOffsetsResponse>(2, 5, {
        replicaId: -1,
        isolationLevel,
        topics: [
          {
            name: TOPIC,
            partitions: Array.from({ length: PARTITIONS }, (_, i) => ({
              partitionIndex: i,
              currentLeaderEpoch: -1,
              timestamp: -1n,
              maxNumOffsets: 1,
            })),
          },
        ],
      });
      return r.topics[0].partitions.map((p) => Number(p.offset));
    } finally {
      wire.close();
    }
  }

  test('a zombie with an old epoch is fenced', async () => {
    const zombie = await transactionalProducer('fence-me');
    await inTransaction(zombie, 'zombie-ok', true); // KafkaJS sends InitProducerId with its first transaction
    const successor = await transactionalProducer('fence-me');
    await inTransaction(successor, 'successor', true); // InitProducerId again: the epoch is bumped
    await assert.rejects(inTransaction(zombie, 'zombie-late', true));
  });

  test('a transaction left open past its timeout is aborted and the lastStableOffset moves past it', async () => {
    const p = await transactionalProducer('forgetful', 1_000);
    const txn = await p.transaction();
    await txn.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: PARTITIONS }, (_, i) => ({ partition: i, value: `timed-out-${i}` })),
    });
    // The open transaction holds the lastStableOffset below its first record until the coordinator aborts it.
    const [lso, hw] = [await latestOffsets(1), await latestOffsets(0)];
    assert.ok(
      lso.every((o, i) => o < hw[i]),
      `lastStableOffsets ${lso} below highWatermarks ${hw}`,
    );
    await until('the abort marker of the timed-out transaction', async () => {
      const [lso, hw] = [await latestOffsets(1), await latestOffsets(0)];
      return lso.every((o, i) => o === hw[i]);
    });
    await assert.rejects(txn.commit());
  });

  test('read_committed sees exactly the committed transactions, read_uncommitted sees all', async () => {
    const p = await transactionalProducer('payments-writer');
    await inTransaction(p, 'commit-1', true);
    await inTransaction(p, 'abort-1', false);
    await inTransaction(p, 'commit-2', true);
    await inTransaction(p, 'abort-2', false);
    await inTransaction(p, 'end', true); // one record per partition twice: once seen, everything before was read

    async function consume(groupId: string, readUncommitted: boolean): Promise<string[]> {
      const c = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 500 });
      consumers.push(c);
      const seen: string[] = [];
      await c.connect();
      await c.subscribe({ topic: TOPIC, fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await until(
        `${groupId} reaching the last transaction`,
        () => seen.filter((v) => v.startsWith('end-')).length === 6,
      );
      await c.disconnect();
      return seen.sort();
    }
    const [committed, uncommitted] = await Promise.all([consume('committed', false), consume('uncommitted', true)]);
    const all = (tag: string) => Array.from({ length: 6 }, (_, i) => `${tag}-${i}`);
    const expected = [...all('commit-1'), ...all('commit-2'), ...all('end'), ...all('successor'), ...all('zombie-ok')];
    expected.sort();
    assert.deepEqual(committed, expected);
    const timedOut = Array.from({ length: PARTITIONS }, (_, i) => `timed-out-${i}`);
    assert.deepEqual(uncommitted, [...expected, ...all('abort-1'), ...all('abort-2'), ...timedOut].sort());
  });
});
