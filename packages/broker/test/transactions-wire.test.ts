// Transaction APIs on the wire, with the project's codec against a real broker process: FindCoordinator key type
// 1 names this node; AddPartitionsToTxn refuses partitions that do not exist (UNKNOWN_TOPIC_OR_PARTITION, the rest
// OPERATION_NOT_ATTEMPTED) and accepts existing ones; ListTransactions and DescribeTransactions show the open
// transaction; a read_committed Fetch stops at the lastStableOffset until EndTxn's ABORT marker, then lists the
// aborted transaction so the client can drop its records.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  buildRecordBatch,
  type DescribeTransactionsResponse,
  type FetchResponse,
  type FindCoordinatorResponse,
  type InitProducerIdResponse,
  type ListTransactionsResponse,
} from '@sluice/protocol';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const TOPIC = 'txn-wire';
let broker: BrokerProcess;
let client: WireClient;

before(async () => {
  broker = await startBroker({ set: { 'sluice.shards': '2' } });
  client = await WireClient.connect(broker.port);
  await createTopic(client, TOPIC, 1);
});
after(async () => {
  client?.close();
  await broker?.dispose();
});

type AddResp = { resultsByTopicV3AndBelow: { name: string; resultsByPartition: { partitionErrorCode: number }[] }[] };

function addPartitions(producerId: bigint, epoch: number, topics: { name: string; partitions: number[] }[]) {
  return client.send<AddResp>(24, 3, {
    v3AndBelowTransactionalId: 'wire-tx',
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: topics,
    transactions: [],
  });
}

async function fetchCommitted(): Promise<FetchResponse['responses'][0]['partitions'][0]> {
  const r = await client.send<FetchResponse>(1, 11, {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: TOPIC,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
            replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return r.responses[0].partitions[0];
}

test('a transaction on the wire: coordinator lookup, partitions, listing, read_committed fetch, abort', async () => {
  const found = await client.send<FindCoordinatorResponse>(10, 4, {
    key: '',
    keyType: 1,
    coordinatorKeys: ['wire-tx'],
  });
  assert.deepEqual(
    found.coordinators.map((c) => [c.errorCode, c.port]),
    [[0, broker.port]],
  );
  const init = await client.send<InitProducerIdResponse>(22, 4, {
    transactionalId: 'wire-tx',
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  assert.equal(init.errorCode, 0);
  const { producerId, producerEpoch } = init;

  const refused = await addPartitions(producerId, producerEpoch, [
    { name: TOPIC, partitions: [0] },
    { name: 'no-such-topic', partitions: [0] },
  ]);
  assert.deepEqual(
    refused.resultsByTopicV3AndBelow.map((t) => [t.name, t.resultsByPartition[0].partitionErrorCode]),
    [
      [TOPIC, 55],
      ['no-such-topic', 3],
    ],
  );
  const added = await addPartitions(producerId, producerEpoch, [{ name: TOPIC, partitions: [0] }]);
  assert.equal(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, 0);

  const batch = buildRecordBatch({
    producerId: Number(producerId),
    producerEpoch,
    baseSequence: 0,
    isTransactional: true,
    records: [{ value: Buffer.from('doomed') }],
  });
  const produced = await client.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>(0, 9, {
    transactionalId: 'wire-tx',
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
  });
  assert.equal(produced.responses[0].partitionResponses[0].errorCode, 0);

  const open = await fetchCommitted();
  assert.deepEqual([open.lastStableOffset, open.highWatermark, open.records?.length ?? 0], [0n, 1n, 0]);

  const listed = await client.send<ListTransactionsResponse>(66, 1, {
    stateFilters: [],
    producerIdFilters: [],
    durationFilter: -1n,
  });
  assert.deepEqual(
    listed.transactionStates.map((t) => [t.transactionalId, t.transactionState]),
    [['wire-tx', 'Ongoing']],
  );
  const described = await client.send<DescribeTransactionsResponse>(65, 0, { transactionalIds: ['wire-tx'] });
  assert.deepEqual(
    described.transactionStates[0].topics.map((t) => [t.topic, t.partitions]),
    [[TOPIC, [0]]],
  );

  const ended = await client.send<{ errorCode: number }>(26, 3, {
    transactionalId: 'wire-tx',
    producerId,
    producerEpoch,
    committed: false,
  });
  assert.equal(ended.errorCode, 0);
  // EndTxn answers once PrepareAbort is durable; the marker follows.
  const deadline = Date.now() + 10_000;
  let done = await fetchCommitted();
  while (done.lastStableOffset < 2n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    done = await fetchCommitted();
  }
  assert.deepEqual([done.lastStableOffset, done.highWatermark], [2n, 2n], 'the ABORT marker moved both');
  assert.deepEqual(done.abortedTransactions, [{ producerId, firstOffset: 0n, unknownTaggedFields: undefined }]);
});
