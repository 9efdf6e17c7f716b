// DescribeProducers (key 61) v0 on the wire against a real broker process: after idempotent batches, the partition
// lists their producer with its id, epoch, last sequence (of the LAST batch, not the first), the batch's timestamp
// and no open transaction (-1); a partition nobody wrote to lists none; an unknown partition or topic answers
// UNKNOWN_TOPIC_OR_PARTITION (3) while the other partitions of the request are still answered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  buildRecordBatch,
  type DescribeProducersResponse,
  type InitProducerIdResponse,
  type ProduceResponse,
} from '@sluice/protocol';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const TOPIC = 'described';
// A fixed timestamp, so lastTimestamp can be checked exactly.
const TIMESTAMP = 1_700_000_000_000;
let broker: BrokerProcess;
let client: WireClient;

before(async () => {
  broker = await startBroker();
  client = await WireClient.connect(broker.port);
  await createTopic(client, TOPIC, 2);
});

after(async () => {
  client?.close();
  await broker?.dispose();
});

async function produce(pid: bigint, epoch: number, seq: number, count: number): Promise<number> {
  const records = buildRecordBatch({
    producerId: Number(pid),
    producerEpoch: epoch,
    baseSequence: seq,
    baseTimestamp: TIMESTAMP,
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${seq + i}`) })),
  });
  const r = await client.send<ProduceResponse>(0, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
  });
  return r.responses[0].partitionResponses[0].errorCode;
}

test('an idempotent producer is listed with its id, epoch and last sequence; unknown partitions get error 3', async () => {
  const init = await client.send<InitProducerIdResponse>(22, 4, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  assert.equal(init.errorCode, 0);
  assert.equal(await produce(init.producerId, init.producerEpoch, 0, 3), 0);
  assert.equal(await produce(init.producerId, init.producerEpoch, 3, 2), 0);

  const r = await client.send<DescribeProducersResponse>(61, 0, {
    topics: [
      { name: TOPIC, partitionIndexes: [0, 1, 7] },
      { name: 'no-such-topic', partitionIndexes: [0] },
    ],
  });
  const [described, missing] = r.topics;
  assert.equal(described.name, TOPIC);
  const [p0, p1, p7] = described.partitions;
  assert.deepEqual([p0.partitionIndex, p0.errorCode], [0, 0]);
  assert.deepEqual(
    p0.activeProducers.map((p) => ({
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      lastSequence: p.lastSequence,
      lastTimestamp: p.lastTimestamp,
      currentTxnStartOffset: p.currentTxnStartOffset,
    })),
    [
      {
        producerId: init.producerId,
        producerEpoch: init.producerEpoch,
        lastSequence: 4,
        lastTimestamp: BigInt(TIMESTAMP),
        currentTxnStartOffset: -1n,
      },
    ],
  );
  assert.deepEqual([p1.partitionIndex, p1.errorCode, p1.activeProducers], [1, 0, []], 'nothing written to 1');
  assert.deepEqual([p7.partitionIndex, p7.errorCode, p7.activeProducers], [7, 3, []], 'partition 7 does not exist');
  assert.equal(missing.name, 'no-such-topic');
  assert.deepEqual(
    missing.partitions.map((p) => [p.partitionIndex, p.errorCode]),
    [[0, 3]],
  );
});
