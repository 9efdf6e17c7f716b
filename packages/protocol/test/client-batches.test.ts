// Record batches real clients built and real Kafka served: the Produce requests in test/fixtures/golden (Java,
// librdkafka, KafkaJS, @platformatic/kafka, franz-go; every codec each offers: none/gzip/snappy/lz4/zstd) pass
// validateRecordBatch (length, magic 2, CRC32C) and decode to exactly the keys, values and headers the client
// scenario sent (packages/testkit/src/scenario.ts), each in a batch compressed with the codec the record's header
// names, from an idempotent producer; the batches in Kafka's Fetch responses validate and decode likewise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiMessageByKey } from '../src/generated/api-messages.ts';
import type { FetchResponse } from '../src/generated/fetch-response.ts';
import type { ProduceRequest } from '../src/generated/produce-request.ts';
import { decodeRequest, decodeResponse } from '../src/header.ts';
import { COMPRESSION_NAMES } from '../src/records/compression-type.ts';
import {
  batchSizeAt,
  type RecordBatchHeader,
  readBatchHeader,
  readRecords,
  validateRecordBatch,
} from '../src/records/record-batch.ts';
import { type GoldenPair, loadGoldenClients } from './fixtures/golden/golden-fixtures.ts';

const PRODUCE = 0;
const FETCH = 1;

interface SeenRecord {
  codec: string;
  key: string;
  value: string;
  headers: Array<[string, string]>;
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key.localeCompare(b.key);
}

function covered(pair: GoldenPair): boolean {
  const api = apiMessageByKey(pair.apiKey);
  return api !== undefined && pair.apiVersion <= api.maxVersion;
}

/** Validates and decodes every batch of a records field; checks each record's codec header names its batch's codec. */
function readBatches(records: Buffer, where: string, onBatch: (h: RecordBatchHeader) => void): SeenRecord[] {
  const seen: SeenRecord[] = [];
  let pos = 0;
  while (pos < records.length) {
    const error = validateRecordBatch(records, pos, records.length);
    assert.equal(error, null, `${where} @${pos}: ${error?.message}`);
    const header = readBatchHeader(records, pos);
    onBatch(header);
    const codec = COMPRESSION_NAMES[header.compression];
    const decoded = readRecords(records, pos);
    assert.equal(decoded.length, header.recordsCount);
    for (const r of decoded) {
      const headers = r.headers.map((h): [string, string] => [h.key, h.value?.toString('utf8') ?? '']);
      assert.deepEqual(
        headers.find(([k]) => k === 'codec'),
        ['codec', codec],
        `${where}: record in a ${codec} batch`,
      );
      seen.push({ codec, key: r.key?.toString('utf8') ?? '', value: r.value?.toString('utf8') ?? '', headers });
    }
    pos += batchSizeAt(records, pos);
  }
  assert.equal(pos, records.length, `${where}: trailing bytes`);
  return seen;
}

for (const c of loadGoldenClients()) {
  const produce = c.pairs.filter((p) => p.apiKey === PRODUCE && covered(p));
  const fetch = c.pairs.filter((p) => p.apiKey === FETCH && covered(p));
  if (produce.length === 0) continue;

  test(`${c.client} ${c.clientVersion}: produced batches (${c.codecs.join(', ')}) validate and hold the records sent`, () => {
    const seen: SeenRecord[] = [];
    const batchCodecs = new Set<string>();
    for (const pair of produce) {
      const decoded = decodeRequest(pair.request);
      assert.ok(decoded.ok, pair.requestFile);
      for (const topic of (decoded.value.body as ProduceRequest).topicData) {
        for (const partition of topic.partitionData) {
          assert.ok(partition.records !== null && partition.records.length > 0, `${pair.requestFile}: no records`);
          const where = `${pair.requestFile} partition ${partition.index}`;
          const records = readBatches(partition.records, where, (h) => {
            batchCodecs.add(COMPRESSION_NAMES[h.compression]);
            // Idempotent producers (InitProducerId) stamp every batch with a producer id, epoch and sequence.
            assert.ok(h.producerId >= 0 && h.producerEpoch >= 0 && h.baseSequence >= 0, `${where}: not idempotent`);
            assert.equal(h.isTransactional, false);
            // A client's batch has not been given offsets yet.
            assert.equal(h.baseOffset, 0);
          });
          seen.push(...records);
        }
      }
    }
    assert.deepEqual([...batchCodecs].sort(), [...c.codecs].sort());
    assert.deepEqual(seen.sort(byKey), [...c.expectedRecords].sort(byKey));
  });

  test(`${c.client} ${c.clientVersion}: batches in Kafka's Fetch responses validate and hold records that were sent`, () => {
    const sent = new Map(c.expectedRecords.map((r) => [r.key, r]));
    let fetched = 0;
    for (const pair of fetch) {
      const decoded = decodeResponse(pair.apiKey, pair.apiVersion, pair.response);
      assert.ok(decoded.ok, pair.responseFile);
      for (const topic of (decoded.value.body as FetchResponse).responses) {
        for (const partition of topic.partitions) {
          if (partition.records === null || partition.records.length === 0) continue;
          const where = `${pair.responseFile} partition ${partition.partitionIndex}`;
          for (const r of readBatches(partition.records, where, () => {})) {
            assert.deepEqual(r, sent.get(r.key), `${where}: ${r.key} was not sent like this`);
            fetched++;
          }
        }
      }
    }
    assert.ok(fetched > 0, 'no Fetch response holds records');
  });
}
