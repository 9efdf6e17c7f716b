import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type BuildBatchOptions,
  batchSizeAt,
  buildRecordBatch,
  type CompressionType,
  lastOffsetOf,
  readBatchHeader,
  readRecords,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateRecordBatch,
} from '../../src/records/record-batch.ts';

const bytes = fc.option(
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  { nil: null },
);
const header = fc.record({ key: fc.string({ maxLength: 10 }), value: bytes }, { noNullPrototype: true });
const record = fc.record({
  timestamp: fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }),
  key: bytes,
  value: bytes,
  headers: fc.array(header, { maxLength: 3 }),
});
const batchOptions = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 12 }),
  compression: fc.constantFrom<CompressionType>(0, 1, 2, 3, 4),
  isTransactional: fc.boolean(),
  producerId: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  deleteHorizonMs: fc.option(fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }), { nil: undefined }),
});

test('a built batch reads back with every record, codec and attribute intact', () => {
  fc.assert(
    fc.property(batchOptions, (o) => {
      const opts: BuildBatchOptions = { ...o, baseOffset: 1000 };
      const batch = buildRecordBatch(opts);
      assert.equal(validateRecordBatch(batch), null);
      assert.equal(batchSizeAt(batch, 0), batch.length);
      const h = readBatchHeader(batch);
      assert.equal(h.magic, 2);
      assert.equal(h.compression, o.compression);
      assert.equal(h.isTransactional, o.isTransactional);
      assert.equal(h.hasDeleteHorizonMs, o.deleteHorizonMs !== undefined);
      if (o.deleteHorizonMs !== undefined) assert.equal(h.baseTimestamp, o.deleteHorizonMs);
      assert.equal(h.producerId, o.producerId);
      assert.equal(h.producerEpoch, o.producerEpoch);
      assert.equal(h.baseSequence, o.baseSequence);
      assert.equal(h.recordsCount, o.records.length);
      assert.equal(lastOffsetOf(batch, 0), 1000 + o.records.length - 1);
      assert.equal(h.maxTimestamp, Math.max(...o.records.map((r) => r.timestamp)));
      const read = readRecords(batch);
      assert.deepEqual(
        read,
        o.records.map((r, i) => ({
          offset: 1000 + i,
          timestamp: r.timestamp,
          key: r.key,
          value: r.value,
          headers: r.headers,
        })),
      );
    }),
    { numRuns: 150 },
  );
});

test('control, LogAppendTime and explicit offset deltas survive a round trip', () => {
  const batch = buildRecordBatch({
    baseOffset: 7,
    timestampType: 1,
    baseTimestamp: 1_700_000_000_000,
    isTransactional: true,
    isControl: true,
    partitionLeaderEpoch: 12,
    lastOffsetDelta: 9,
    records: [
      { offsetDelta: 3, value: Buffer.from('a') },
      { offsetDelta: 9, value: Buffer.from('b') },
    ],
  });
  const h = readBatchHeader(batch);
  assert.equal(h.isControl, true);
  assert.equal(h.timestampType, 1);
  assert.equal(h.partitionLeaderEpoch, 12);
  assert.equal(lastOffsetOf(batch, 0), 16);
  assert.deepEqual(
    readRecords(batch).map((r) => [r.offset, r.timestamp]),
    [
      [10, 1_700_000_000_000],
      [16, 1_700_000_000_000],
    ],
  );
});

test('patching baseOffset and partitionLeaderEpoch keeps the CRC valid; LogAppendTime recomputes it', () => {
  fc.assert(
    fc.property(
      batchOptions,
      fc.integer({ min: 0, max: 2 ** 53 - 100 }),
      fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: 2 ** 45 }),
      (o, baseOffset, epoch, appendTime) => {
        const batch = buildRecordBatch(o);
        const crcBefore = readBatchHeader(batch).crc;
        setBaseOffset(batch, 0, baseOffset);
        setPartitionLeaderEpoch(batch, 0, epoch);
        assert.equal(validateRecordBatch(batch), null);
        const h = readBatchHeader(batch);
        assert.equal(h.baseOffset, baseOffset);
        assert.equal(h.partitionLeaderEpoch, epoch);
        assert.equal(h.crc, crcBefore);
        setLogAppendTime(batch, 0, appendTime);
        assert.equal(validateRecordBatch(batch), null);
        const after = readBatchHeader(batch);
        assert.equal(after.timestampType, 1);
        assert.equal(after.maxTimestamp, appendTime);
        assert.equal(after.compression, o.compression);
        assert.ok(readRecords(batch).every((r) => r.timestamp === appendTime));
      },
    ),
    { numRuns: 60 },
  );
});

test('header reads work at a position inside a larger buffer and on a plain Uint8Array', () => {
  const batch = buildRecordBatch({ baseOffset: 2 ** 40, records: [{ timestamp: 5, value: Buffer.from('v') }] });
  const big = new Uint8Array(batch.length + 50);
  big.set(batch, 20);
  assert.equal(validateRecordBatch(big, 20, 20 + batch.length), null);
  assert.equal(readBatchHeader(big, 20).baseOffset, 2 ** 40);
  assert.deepEqual(readRecords(big, 20)[0].value, Buffer.from('v'));
});

test('baseOffset beyond 2^53 reads as the nearest double instead of garbage', () => {
  const batch = buildRecordBatch({ records: [{ value: null }] });
  batch.writeBigInt64BE(2n ** 62n + 1n, 0);
  assert.equal(readBatchHeader(batch).baseOffset, 2 ** 62);
  batch.writeBigInt64BE(-(2n ** 60n) - 3n, 0);
  assert.equal(readBatchHeader(batch).baseOffset, -(2 ** 60));
});

test('validation catches every sampled single-bit flip inside the CRC-covered and length/magic/CRC fields', () => {
  // baseOffset (0-7) and partitionLeaderEpoch (12-15) are outside the CRC by design: the broker patches them.
  for (const compression of [0, 1, 3] as CompressionType[]) {
    const batch = buildRecordBatch({
      compression,
      records: Array.from({ length: 5 }, (_, i) => ({
        timestamp: i,
        key: Buffer.from(`k${i}`),
        value: Buffer.alloc(30, i),
      })),
    });
    const positions = [8, 9, 10, 11, 16, 17, 18, 19, 20];
    for (let i = 0; i < 120; i++) positions.push(21 + ((i * 7919) % (batch.length - 21)));
    for (const byte of positions) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(batch);
        copy[byte] ^= 1 << bit;
        assert.notEqual(validateRecordBatch(copy), null, `flip at byte ${byte} bit ${bit} went unnoticed`);
      }
    }
  }
});

test('validation rejects truncation at every byte and reports magic 0/1 as UNSUPPORTED_MAGIC', () => {
  const batch = buildRecordBatch({ records: [{ timestamp: 1, key: Buffer.from('key'), value: Buffer.from('value') }] });
  for (let len = 0; len < batch.length; len++) {
    const err = validateRecordBatch(batch, 0, len);
    assert.notEqual(err, null, `truncation to ${len} bytes went unnoticed`);
    assert.equal(err?.code, 'CORRUPT_MESSAGE');
  }
  const old = Buffer.from(batch);
  old[16] = 1;
  assert.equal(validateRecordBatch(old)?.code, 'UNSUPPORTED_MAGIC');
});

test('readRecords throws a DecodeError, never reads out of bounds, on garbage record bytes', () => {
  const batch = buildRecordBatch({ records: [{ timestamp: 1, key: Buffer.from('key'), value: Buffer.from('value') }] });
  fc.assert(
    fc.property(fc.nat(batch.length - 62), fc.uint8Array({ minLength: 1, maxLength: 8 }), (at, junk) => {
      const copy = Buffer.from(batch);
      copy.set(junk.subarray(0, copy.length - 61 - at), 61 + at);
      try {
        readRecords(copy);
      } catch (err) {
        assert.equal((err as Error).name, 'DecodeError');
      }
    }),
    { numRuns: 300 },
  );
});

test('a compressed batch whose records inflate past the limit is refused', () => {
  const batch = buildRecordBatch({ compression: 4, records: [{ timestamp: 1, value: Buffer.alloc(4 << 20) }] });
  assert.ok(batch.length < 4096);
  assert.throws(() => readRecords(batch, 0, 1 << 20), { name: 'DecodeError' });
  assert.equal(readRecords(batch)[0].value?.length, 4 << 20);
});
