// Fetch's size decisions over partitions whose records are sent from the segment files (v4+) or read and
// down-converted (v3): with maxBytes, the first non-empty partition comes whole (KIP-74), a later partition that
// cannot hold its first batch whole in what is left comes empty, and one that can is cut at the limit (clients drop
// the partial trailing batch). The records that arrive are the stored batches byte for byte.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { batchSizeAt, type FetchResponse, readRecords } from '@sluice/protocol';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic, fetchBody, produce } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const TOPIC = 'limits';
const BATCHES = 3;

function twoPartitionFetch(maxBytes: number) {
  const body = fetchBody(TOPIC, 0, 0n, { maxBytes });
  body.topics[0].partitions.push({ ...body.topics[0].partitions[0], partition: 1 });
  return body;
}

/** The sizes of the batches in `records`, a partial trailing one included as its bytes present. */
function batchSizes(records: Buffer): number[] {
  const sizes: number[] = [];
  for (let pos = 0; pos < records.length; ) {
    const size = records.length - pos >= 12 ? batchSizeAt(records, pos) : records.length - pos;
    sizes.push(Math.min(size, records.length - pos));
    pos += size;
  }
  return sizes;
}

describe('fetch size limits with records sent from files', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  let client: WireClient;
  let whole: Buffer[];

  before(async () => {
    broker = await startBroker();
    client = await WireClient.connect(broker.port);
    await createTopic(client, TOPIC, 2);
    for (let b = 0; b < BATCHES; b++) {
      for (const p of [0, 1]) {
        const r = await produce(client, TOPIC, p, [Buffer.alloc(1000 + 100 * p, 48 + b)], -1, [Buffer.from(`k${b}`)]);
        assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
      }
    }
    // Each partition whole, one at a time (a generous limit): the reference the limited fetches are held to.
    whole = [];
    for (const p of [0, 1]) {
      const r = await client.send<FetchResponse>(1, 12, fetchBody(TOPIC, p, 0n));
      whole.push(r.responses[0].partitions[0].records!);
    }
  });

  after(async () => {
    client?.close();
    await broker?.dispose();
  });

  test('whole partitions read back the stored batches byte for byte', () => {
    for (const [p, records] of whole.entries()) {
      assert.deepEqual(batchSizes(records).length, BATCHES);
      const values: Array<string | undefined> = [];
      for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
        const batch = records.subarray(pos, pos + batchSizeAt(records, pos));
        for (const r of readRecords(batch)) values.push(r.value?.toString('latin1'));
      }
      assert.deepEqual(
        values,
        [0, 1, 2].map((b) => String.fromCharCode(48 + b).repeat(1000 + 100 * p)),
      );
    }
  });

  for (const version of [4, 11, 12]) {
    test(`v${version}: the first partition comes whole past maxBytes; the next comes empty without room for a batch`, async () => {
      const r = await client.send<FetchResponse>(1, version, twoPartitionFetch(10));
      const [p0, p1] = r.responses[0].partitions;
      assert.deepEqual(p0.records, whole[0], 'partition 0 whole (KIP-74), though larger than maxBytes');
      assert.equal(p1.records?.length ?? 0, 0, 'partition 1: no room left');
    });

    test(`v${version}: a later partition with room for its first batch and a part of the next is cut at the limit`, async () => {
      const first1 = batchSizeAt(whole[1], 0);
      const justShort = await client.send<FetchResponse>(1, version, twoPartitionFetch(whole[0].length + first1 - 1));
      assert.equal(justShort.responses[0].partitions[1].records?.length ?? 0, 0, 'one byte short of a batch: empty');
      const room = whole[0].length + first1 + 50;
      const cut = await client.send<FetchResponse>(1, version, twoPartitionFetch(room));
      const [p0, p1] = cut.responses[0].partitions;
      assert.deepEqual(p0.records, whole[0]);
      assert.deepEqual(p1.records, whole[1].subarray(0, first1 + 50), 'first batch whole, 50 bytes of the next');
      assert.equal(p1.highWatermark, BigInt(BATCHES));
    });
  }

  test('v3 (down-converted): the same rule, measured on the stored batches', async () => {
    const first1 = batchSizeAt(whole[1], 0);
    const short = await client.send<FetchResponse>(1, 3, twoPartitionFetch(whole[0].length + first1 - 1));
    assert.ok((short.responses[0].partitions[0].records?.length ?? 0) > 0, 'partition 0 has its message set');
    assert.equal(short.responses[0].partitions[1].records?.length ?? 0, 0);
    const room = await client.send<FetchResponse>(1, 3, twoPartitionFetch(whole[0].length + first1));
    assert.ok((room.responses[0].partitions[1].records?.length ?? 0) > 0, 'exactly one batch of room: not empty');
  });
});
