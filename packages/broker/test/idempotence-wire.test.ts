// Idempotent produce on the wire, with the project's codec against a real broker process: InitProducerId hands out
// ids unique across restarts; a resent batch (same producer, epoch, sequence) answers the original baseOffset and
// is not written twice, even after the broker was SIGKILLed between the send and the retry; a skipped sequence is
// OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is INVALID_PRODUCER_EPOCH; a transactional id goes to the
// transaction coordinator (epoch 0, then bumped by the next InitProducerId).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildRecordBatch, type InitProducerIdResponse, type ProduceResponse } from '@sluice/protocol';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const TOPIC = 'idem';
let broker: BrokerProcess;
let client: WireClient;

before(async () => {
  broker = await startBroker();
  client = await WireClient.connect(broker.port);
  await createTopic(client, TOPIC, 1);
});

after(async () => {
  client?.close();
  await broker?.dispose();
});

async function initProducerId(c: WireClient, version = 4, transactionalId: string | null = null) {
  return c.send<InitProducerIdResponse>(22, version, {
    transactionalId,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
}

/** Produce v9 (flexible) of one batch from producer `pid`: `count` records from sequence `seq`. */
async function send(c: WireClient, pid: bigint, epoch: number, seq: number, count = 3) {
  const records = buildRecordBatch({
    producerId: Number(pid),
    producerEpoch: epoch,
    baseSequence: seq,
    baseTimestamp: Date.now(),
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${pid}:${epoch}:${seq + i}`) })),
  });
  const r = await c.send<ProduceResponse>(0, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
  });
  const p = r.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) };
}

test('resent batches get their original offsets, gaps and stale epochs are refused, across a SIGKILL', async () => {
  const a = await initProducerId(client);
  const b = await initProducerId(client, 0);
  assert.equal(a.errorCode, 0);
  assert.equal(a.producerEpoch, 0);
  assert.notEqual(a.producerId, b.producerId);
  const pid = a.producerId;

  const first = await send(client, pid, 0, 0);
  const second = await send(client, pid, 0, 3);
  assert.deepEqual(
    [first, second],
    [
      { errorCode: 0, baseOffset: 0 },
      { errorCode: 0, baseOffset: 3 },
    ],
  );
  assert.deepEqual(await send(client, pid, 0, 0), { errorCode: 0, baseOffset: 0 }, 'retry of the first batch');
  assert.deepEqual(await send(client, pid, 0, 3), { errorCode: 0, baseOffset: 3 }, 'retry of the second batch');
  assert.equal((await send(client, pid, 0, 7)).errorCode, 45, 'sequence 6 skipped: OUT_OF_ORDER_SEQUENCE_NUMBER');

  // Crash, restart on the same data: the state comes back from the log.
  await broker.kill();
  client.close();
  broker = await startBroker({ dataDir: broker.dataDir });
  client = await WireClient.connect(broker.port);
  assert.deepEqual(await send(client, pid, 0, 3), { errorCode: 0, baseOffset: 3 }, 'retry after the crash');
  assert.deepEqual(await send(client, pid, 0, 6), { errorCode: 0, baseOffset: 6 });

  // A bumped epoch starts at sequence 0; the old epoch is fenced from then on.
  assert.equal((await send(client, pid, 1, 9)).errorCode, 45, 'new epoch must start at 0');
  assert.deepEqual(await send(client, pid, 1, 0), { errorCode: 0, baseOffset: 9 });
  assert.equal((await send(client, pid, 0, 9)).errorCode, 47, 'INVALID_PRODUCER_EPOCH');

  const records = await fetchAll(client, TOPIC, 0);
  assert.deepEqual(
    records.map((r) => r.value?.toString()),
    [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((s) => `${pid}:0:${s}`), `${pid}:1:0`, `${pid}:1:1`, `${pid}:1:2`],
  );

  // Producer ids are not reused after a crash: the next id is past every id handed out before it.
  const c = await initProducerId(client, 5);
  assert.ok(c.producerId > b.producerId, `${c.producerId} > ${b.producerId}`);
});

test('InitProducerId: a transactional id gets the coordinator, half a KIP-360 pair is INVALID_REQUEST', async () => {
  const first = await initProducerId(client, 4, 'tx-1');
  assert.deepEqual([first.errorCode, first.producerEpoch], [0, 0]);
  const again = await initProducerId(client, 4, 'tx-1');
  assert.deepEqual([again.errorCode, again.producerId, again.producerEpoch], [0, first.producerId, 1]);
  assert.equal((await initProducerId(client, 1, '')).errorCode, 42, 'empty transactional id: INVALID_REQUEST');
  const half = await client.send<InitProducerIdResponse>(22, 3, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: 5n,
    producerEpoch: -1,
  });
  assert.equal(half.errorCode, 42);
});
