import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { CompressionType } from '../../src/records/compression-type.ts';
import { buildEndTxnMarkerBatch } from '../../src/records/control-record.ts';
import {
  decodeMessageSet,
  encodeMessage,
  messageSetToRecordBatch,
  recordBatchesToMessageSet,
} from '../../src/records/message-set.ts';
import { buildRecordBatch, readBatchHeader, readRecords, validateRecordBatch } from '../../src/records/record-batch.ts';

const bytes = fc.option(
  fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
  { nil: null },
);
const records = fc.array(
  fc.record({ timestamp: fc.integer({ min: 0, max: 2 ** 42 }), key: bytes, value: bytes }, { noNullPrototype: true }),
  { minLength: 1, maxLength: 10 },
);

test('a magic 0 message has the documented byte layout and CRC-32', () => {
  const m = encodeMessage(5, 0, 0, -1, Buffer.from('k'), Buffer.from('v'));
  // offset 5, size 16, crc, magic 0, attributes 0, key len 1 'k', value len 1 'v'
  assert.deepEqual([...m.subarray(0, 12)], [0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 16]);
  assert.deepEqual([...m.subarray(16)], [0, 0, 0, 0, 0, 1, 0x6b, 0, 0, 0, 1, 0x76]);
  assert.equal(m.readUInt32BE(12), 0x1fecd70a); // CRC-32 (IEEE) of the 12 bytes after it (Python zlib.crc32)
});

test('batches v2 down-convert to magic 0/1 and back with keys, values, offsets and timestamps kept', () => {
  fc.assert(
    fc.property(
      records,
      fc.constantFrom<CompressionType>(0, 1, 2, 3, 4),
      fc.constantFrom<0 | 1>(0, 1),
      (recs, compression, magic) => {
        const batch = buildRecordBatch({ baseOffset: 500, compression, records: recs });
        const set = recordBatchesToMessageSet(batch, magic);
        const legacy = decodeMessageSet(set);
        assert.deepEqual(
          legacy.map((r) => [r.offset, r.timestamp, r.key, r.value]),
          recs.map((r, i) => [500 + i, magic === 1 ? r.timestamp : -1, r.key, r.value]),
        );
        assert.ok(legacy.every((r) => r.compression === (compression === 4 ? 0 : compression)));
        const up = messageSetToRecordBatch(set, { preserveOffsets: true });
        assert.ok(up !== null);
        assert.equal(validateRecordBatch(up), null);
        assert.equal(readBatchHeader(up).compression, compression === 4 ? 0 : compression);
        assert.deepEqual(
          readRecords(up).map((r) => [r.offset, r.timestamp, r.key, r.value]),
          recs.map((r, i) => [500 + i, magic === 1 ? r.timestamp : -1, r.key, r.value]),
        );
      },
    ),
    { numRuns: 120 },
  );
});

test('magic 1 compressed wrappers carry relative inner offsets; magic 0 absolute ones', () => {
  const batch = buildRecordBatch({
    baseOffset: 1000,
    compression: 1,
    records: [
      { timestamp: 1, value: Buffer.from('a') },
      { timestamp: 2, value: Buffer.from('b') },
    ],
  });
  for (const magic of [0, 1] as const) {
    const set = recordBatchesToMessageSet(batch, magic);
    assert.equal(set.readInt32BE(4), 1001); // wrapper offset = last inner offset
    const inner = decodeMessageSet(set).map((r) => r.offset);
    assert.deepEqual(inner, [1000, 1001]);
  }
});

test('down-conversion drops control batches, headers and records below the fetch offset; LogAppendTime holds', () => {
  const data = buildRecordBatch({
    baseOffset: 10,
    timestampType: 1,
    records: [
      { timestamp: 5, value: Buffer.from('x'), headers: [{ key: 'h', value: Buffer.from('y') }] },
      { timestamp: 6, value: Buffer.from('z') },
    ],
  });
  const marker = buildEndTxnMarkerBatch({
    producerId: 1,
    producerEpoch: 0,
    type: 1,
    coordinatorEpoch: 0,
    timestamp: 9,
    baseOffset: 12,
  });
  const set = recordBatchesToMessageSet(Buffer.concat([data, marker]), 1, { minOffset: 11 });
  const legacy = decodeMessageSet(set);
  assert.deepEqual(
    legacy.map((r) => [r.offset, r.timestamp, r.timestampType, r.value?.toString()]),
    [[11, 6, 1, 'z']],
  );
});

test('up-conversion for Produce v0-2 numbers records 0..n-1 and keeps the producer codec', () => {
  const set = Buffer.concat([
    encodeMessage(0, 1, 0, 100, Buffer.from('k1'), Buffer.from('v1')),
    encodeMessage(0, 1, 0, 200, null, Buffer.from('v2')),
  ]);
  const batch = messageSetToRecordBatch(set);
  assert.ok(batch !== null);
  assert.deepEqual(
    readRecords(batch).map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null]),
    [
      [0, 100, 'k1'],
      [1, 200, null],
    ],
  );
});

test('a corrupted message fails its CRC; a partial tail is an error unless allowed', () => {
  const set = recordBatchesToMessageSet(
    buildRecordBatch({
      records: [
        { timestamp: 1, value: Buffer.from('abc') },
        { timestamp: 2, value: Buffer.from('def') },
      ],
    }),
    1,
  );
  // Every byte but the offsets (outside the CRC; 37-byte messages with 3-byte values).
  for (let i = 0; i < set.length; i++) {
    if (i % 37 < 8) continue;
    const copy = Buffer.from(set);
    copy[i] ^= 0x40;
    assert.throws(() => decodeMessageSet(copy), { name: 'DecodeError' }, `flip at ${i}`);
  }
  const cut = set.subarray(0, set.length - 3);
  assert.throws(() => decodeMessageSet(cut), { name: 'DecodeError' });
  assert.equal(decodeMessageSet(cut, { allowPartialTail: true }).length, 1);
});
