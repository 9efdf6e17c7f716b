// CreatePartitions, DeleteRecords, OffsetForLeaderEpoch, DescribeCluster, DescribeLogDirs, DescribeTopicPartitions
// and Produce's request checks, against the broker as a real process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildRecordBatch,
  type DescribeClusterResponse,
  type DescribeLogDirsResponse,
  type DescribeTopicPartitionsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@sluice/protocol';
import {
  createPartitions,
  createTopicWith,
  deleteRecords,
  fetchAt,
  listOffset,
  offsetForLeaderEpoch,
} from './support/admin-requests.ts';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { produce } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

function produceRaw(c: WireClient, topic: string, records: Buffer, acks = 1, version = 8) {
  return c.send<ProduceResponse>(0, version, {
    transactionalId: null,
    acks,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
}

describe('admin partitions', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  let c: WireClient;

  before(async () => {
    broker = await startBroker({ set: { 'node.id': '1' } });
    c = await WireClient.connect(broker.port);
  });

  after(async () => {
    c?.close();
    await broker?.dispose();
  });

  test('CreatePartitions grows a topic that is produced to at once, and refuses what Kafka refuses', async () => {
    assert.equal((await createTopicWith(c, 'grown', 1)).errorCode, 0);
    assert.equal((await createPartitions(c, 'grown', 5, { validateOnly: true })).errorCode, 0);
    assert.equal((await createPartitions(c, 'grown', 3)).errorCode, 0);
    const p2 = await produce(c, 'grown', 2, [Buffer.from('new partition')]);
    assert.equal(p2.responses[0].partitionResponses[0].errorCode, 0);
    const m = await c.send<MetadataResponse>(3, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'grown' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(m.topics[0].partitions.length, 3, 'validateOnly changed nothing');
    assert.ok(m.topics[0].partitions.every((p) => p.leaderEpoch === 0));
    assert.equal((await createPartitions(c, 'grown', 2)).errorCode, 37);
    assert.equal((await createPartitions(c, 'grown', 3)).errorCode, 37);
    assert.equal((await createPartitions(c, 'missing', 3)).errorCode, 3);
    assert.equal((await createPartitions(c, 'grown', 4, { assignments: [[5]] })).errorCode, 39);
    assert.equal((await createPartitions(c, 'grown', 5, { assignments: [[1]] })).errorCode, 39);
    assert.equal((await createPartitions(c, 'grown', 4, { assignments: [[1]] })).errorCode, 0);
  });

  test('DeleteRecords moves the logStartOffset; fetching below it is OFFSET_OUT_OF_RANGE', async () => {
    assert.equal((await createTopicWith(c, 'trimmed', 1)).errorCode, 0);
    for (let i = 0; i < 10; i++) await produce(c, 'trimmed', 0, [Buffer.from(`r${i}`)]);
    const r = await deleteRecords(c, 'trimmed', 0, 4);
    assert.deepEqual([r.errorCode, r.lowWatermark], [0, 4n]);
    const below = await fetchAt(c, 'trimmed', 0, 2);
    // OFFSET_OUT_OF_RANGE, with -1 offsets as Kafka answers; ListOffsets earliest says where the log starts.
    assert.deepEqual([below.errorCode, below.logStartOffset], [1, -1n]);
    assert.equal((await listOffset(c, 'trimmed', 0, -2)).offset, 4n);
    const at = await fetchAt(c, 'trimmed', 0, 4);
    assert.deepEqual([at.errorCode, at.logStartOffset], [0, 4n]);
    assert.equal((await deleteRecords(c, 'trimmed', 0, 11)).errorCode, 1);
    const again = await deleteRecords(c, 'trimmed', 0, 2);
    assert.deepEqual([again.errorCode, again.lowWatermark], [0, 4n], 'below the logStartOffset changes nothing');
    assert.equal((await deleteRecords(c, 'trimmed', 0, -1)).lowWatermark, 10n);
    assert.equal((await listOffset(c, 'trimmed', 0, -2)).offset, 10n);
  });

  test('OffsetForLeaderEpoch answers leader epoch 0, stamped into batches and reported by ListOffsets', async () => {
    assert.equal((await createTopicWith(c, 'epochs', 1)).errorCode, 0);
    await produce(c, 'epochs', 0, [Buffer.from('a'), Buffer.from('b')]);
    const current = await offsetForLeaderEpoch(c, 'epochs', 0, 0);
    assert.deepEqual([current.errorCode, current.leaderEpoch, current.endOffset], [0, 0, 2n]);
    const future = await offsetForLeaderEpoch(c, 'epochs', 0, 3);
    assert.deepEqual([future.errorCode, future.leaderEpoch, future.endOffset], [0, -1, -1n]);
    assert.equal((await offsetForLeaderEpoch(c, 'epochs', 0, 0, 1)).errorCode, 75);
    assert.equal((await offsetForLeaderEpoch(c, 'epochs', 9, 0)).errorCode, 3);
    assert.equal((await listOffset(c, 'epochs', 0, -1)).leaderEpoch, 0);
    const f = await fetchAt(c, 'epochs', 0, 0);
    assert.equal(f.records?.readInt32BE(12), 0, 'partitionLeaderEpoch of the stored batch');
  });

  test('DescribeCluster, DescribeLogDirs and DescribeTopicPartitions describe this node', async () => {
    const cluster = await c.send<DescribeClusterResponse>(60, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
    });
    assert.equal(cluster.errorCode, 0);
    assert.deepEqual(
      cluster.brokers.map((b) => [b.brokerId, b.host, b.port, b.rack]),
      [[1, '127.0.0.1', broker.port, null]],
    );
    assert.equal(cluster.controllerId, 1);
    assert.ok(cluster.clusterId.length === 22);
    const controllers = await c.send<DescribeClusterResponse>(60, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
    });
    assert.equal(controllers.errorCode, 114);

    assert.equal((await createTopicWith(c, 'sized-dir', 2)).errorCode, 0);
    await produce(c, 'sized-dir', 0, [Buffer.alloc(1000)]);
    const dirs = await c.send<DescribeLogDirsResponse>(35, 4, {
      topics: [{ topic: 'sized-dir', partitions: [0, 1, 7] }],
    });
    assert.equal(dirs.results.length, 1);
    assert.equal(dirs.results[0].logDir, broker.dataDir);
    const parts = dirs.results[0].topics[0].partitions;
    assert.deepEqual(
      parts.map((p) => p.partitionIndex),
      [0, 1],
    );
    assert.ok(parts[0].partitionSize > 1000n && parts[1].partitionSize === 0n);
    assert.ok(dirs.results[0].totalBytes > 0n && dirs.results[0].usableBytes > 0n);

    assert.equal((await createTopicWith(c, 'paged', 3)).errorCode, 0);
    const page = (cursor: { topicName: string; partitionIndex: number } | null) =>
      c.send<DescribeTopicPartitionsResponse>(75, 0, {
        topics: [{ name: 'sized-dir' }, { name: 'paged' }, { name: 'absent' }],
        responsePartitionLimit: 2,
        cursor,
      });
    const first = await page(null);
    assert.deepEqual(
      first.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => p.partitionIndex)]),
      [
        ['absent', 3, []],
        ['paged', 0, [0, 1]],
      ],
    );
    assert.deepEqual([first.nextCursor?.topicName, first.nextCursor?.partitionIndex], ['paged', 2]);
    const second = await page(first.nextCursor);
    assert.deepEqual(
      second.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
      [
        ['paged', [2]],
        ['sized-dir', [0]],
      ],
    );
    assert.deepEqual([second.nextCursor?.topicName, second.nextCursor?.partitionIndex], ['sized-dir', 1]);
  });

  test('Produce v3+ refuses two batches per partition, bad acks, and reports keyless records on compacted topics', async () => {
    assert.equal((await createTopicWith(c, 'strict', 1)).errorCode, 0);
    const one = buildRecordBatch({ baseTimestamp: Date.now(), records: [{ key: null, value: Buffer.from('x') }] });
    const two = Buffer.concat([one, one]);
    const r = await produceRaw(c, 'strict', two);
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 87);
    assert.equal((await produceRaw(c, 'strict', one, 2)).responses[0].partitionResponses[0].errorCode, 21);
    assert.equal((await produceRaw(c, 'strict', one)).responses[0].partitionResponses[0].errorCode, 0);

    assert.equal((await createTopicWith(c, 'keyed', 1, { 'cleanup.policy': 'compact' })).errorCode, 0);
    const mixed = buildRecordBatch({
      baseTimestamp: Date.now(),
      records: [
        { key: Buffer.from('k'), value: Buffer.from('1') },
        { key: null, value: Buffer.from('2') },
      ],
    });
    const keyless = (await produceRaw(c, 'keyed', mixed)).responses[0].partitionResponses[0];
    assert.equal(keyless.errorCode, 87);
    assert.deepEqual(
      keyless.recordErrors.map((e) => e.batchIndex),
      [1],
    );
    assert.match(keyless.errorMessage ?? '', /Compacted topic cannot accept message without key/);
  });
});
