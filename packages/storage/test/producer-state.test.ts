// Idempotent producers as a client sees the log: retries of any of the last 5 batches get the original offsets and
// write nothing, gaps and stale epochs are refused with Kafka's errors, sequences wrap at Int32.MAX, producers
// expire, and all of it survives a clean restart, a crash (snapshot + replay), a corrupt snapshot and DeleteRecords.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { crc32c } from '@sluice/protocol/records/crc32c.ts';
import { buildRecordBatch } from '@sluice/protocol/records/record-batch.ts';
import { realFileOps } from '../src/file-ops.ts';
import { logConfig } from '../src/log-config.ts';
import { type AppendResult, PartitionLog } from '../src/partition-log.ts';
import { decodeProducerSnapshot, encodeProducerSnapshot } from '../src/producer-state-snapshot-format.ts';
import { decodeBatches, tempDir } from './helpers/log-fixtures.ts';

const NOW = 1_800_000_000_000;
const INT32_MAX = 0x7fffffff;

function open(dir: string, o: { clock?: () => number; expirationMs?: number; config?: object } = {}) {
  return PartitionLog.open(`${dir}/t-0`, 't', 0, {
    config: logConfig({ ackBeforeFsync: true, ...o.config }),
    ops: realFileOps,
    clock: o.clock ?? (() => NOW),
    producerIdExpirationMs: o.expirationMs,
  });
}

/** A batch of `count` records from producer `pid`, epoch, first sequence `seq`; values name pid/epoch/seq. */
function idem(pid: number, epoch: number, seq: number, count = 2, ts = NOW): Buffer {
  return buildRecordBatch({
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({
      timestamp: ts,
      key: null,
      value: Buffer.from(`${pid}:${epoch}:${seq + i}`),
    })),
  });
}

function ok(r: AppendResult): { baseOffset: number; lastOffset: number; duplicate?: boolean } {
  assert.equal(r.errorCode, 'NONE', 'message' in r ? r.message : '');
  return r as { baseOffset: number; lastOffset: number; duplicate?: boolean };
}

function values(log: PartitionLog): string[] {
  const r = log.read(log.logStartOffset, 1 << 24, { isolation: 'logEnd' });
  assert.ok(!('message' in r));
  return decodeBatches(log.readBytes(r as never)).map((x) => x.value!.toString());
}

/** Appends batches 0..n-1 (2 records each) of producer 7 epoch 0; returns their offsets. */
function appendBatches(log: PartitionLog, n: number, firstBatch = 0): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = firstBatch; i < firstBatch + n; i++) {
    const r = ok(log.append(idem(7, 0, 2 * i)));
    assert.equal(r.duplicate, undefined);
    out.push([r.baseOffset, r.lastOffset]);
  }
  return out;
}

/** Every one of the last 5 batches, resent, answers its original offsets and leaves the log as it was. */
function assertLastFiveDeduplicated(log: PartitionLog, offsets: Array<[number, number]>, lastBatch: number) {
  const end = log.logEndOffset;
  for (let k = 0; k < 5; k++) {
    const i = lastBatch - k;
    const r = ok(log.append(idem(7, 0, 2 * i)));
    assert.deepEqual([r.baseOffset, r.lastOffset, r.duplicate], [...offsets[i], true], `retry of batch ${i}`);
  }
  assert.equal(log.logEndOffset, end, 'no duplicate written');
}

test('a retry of each of the last 5 batches gets its original offsets; an older one is out of order', () => {
  using dir = tempDir('pstate-dup');
  const log = open(dir.path);
  ok(log.append(idem(-1, -1, -1, 1))); // a non-idempotent batch first: offsets do not start at 0
  const offsets = [[-1, -1] as [number, number], ...appendBatches(log, 7, 1)];
  assertLastFiveDeduplicated(log, offsets, 7);
  const r = log.append(idem(7, 0, 2 * 2));
  assert.equal(r.errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'batch 2 is the 6th newest: no longer known');
  assert.equal(values(log).length, 1 + 7 * 2);
  log.close();
});

test('a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER and writes nothing; the next in-order batch is accepted', () => {
  using dir = tempDir('pstate-gap');
  const log = open(dir.path);
  appendBatches(log, 2);
  assert.equal(log.append(idem(7, 0, 5)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  assert.equal(log.append(idem(7, 0, 3)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'overlap, not a duplicate');
  assert.equal(log.logEndOffset, 4);
  ok(log.append(idem(7, 0, 4)));
  assert.deepEqual(values(log), ['7:0:0', '7:0:1', '7:0:2', '7:0:3', '7:0:4', '7:0:5']);
  log.close();
});

test('epochs: an older one is INVALID_PRODUCER_EPOCH, a newer one must start at sequence 0', () => {
  using dir = tempDir('pstate-epoch');
  const log = open(dir.path);
  ok(log.append(idem(7, 3, 0)));
  assert.equal(log.append(idem(7, 2, 2)).errorCode, 'INVALID_PRODUCER_EPOCH');
  assert.equal(log.append(idem(7, 4, 2)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  const bumped = ok(log.append(idem(7, 4, 0)));
  assert.equal(bumped.duplicate, undefined, 'same sequence, new epoch: new data');
  assert.equal(log.append(idem(7, 3, 0)).errorCode, 'INVALID_PRODUCER_EPOCH', 'a retry from the old epoch is fenced');
  assert.equal(log.logEndOffset, 4);
  log.close();
});

test('a producer the partition does not know may start at any sequence (Kafka 2.5+, KIP-360)', () => {
  using dir = tempDir('pstate-unknown');
  const log = open(dir.path);
  ok(log.append(idem(9, 0, 42)));
  assert.equal(log.append(idem(9, 0, 45)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  ok(log.append(idem(9, 0, 44)));
  log.close();
});

test('sequences wrap from Int32.MAX to 0', () => {
  using dir = tempDir('pstate-wrap');
  const log = open(dir.path);
  ok(log.append(idem(7, 0, INT32_MAX - 1, 1)));
  const wrapping = ok(log.append(idem(7, 0, INT32_MAX, 3))); // sequences MAX, 0, 1
  assert.equal(log.append(idem(7, 0, 0)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  const dup = ok(log.append(idem(7, 0, INT32_MAX, 3)));
  assert.deepEqual([dup.baseOffset, dup.duplicate], [wrapping.baseOffset, true]);
  ok(log.append(idem(7, 0, 2)));
  log.close();
});

test('a clean restart keeps every producer: retries of the last 5 batches are still duplicates', () => {
  using dir = tempDir('pstate-clean');
  let log = open(dir.path);
  const offsets = appendBatches(log, 6);
  log.close();
  assert.ok(readdirSync(`${dir.path}/t-0`).includes('00000000000000000012.snapshot'), 'snapshot at logEndOffset');
  log = open(dir.path);
  assertLastFiveDeduplicated(log, offsets, 5);
  assert.equal(log.append(idem(7, 0, 14)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  ok(log.append(idem(7, 0, 12)));
  log.close();
});

test('after a crash the state is the roll snapshot plus the batches replayed after it', () => {
  using dir = tempDir('pstate-crash');
  // 3 batches of ~100 bytes per segment: rolls (and snapshots) happen while the producer writes.
  const config = { config: { segmentBytes: 300 } };
  let log = open(dir.path, config);
  const offsets = appendBatches(log, 8);
  assert.ok(log.segmentCount > 2);
  log.closeUnclean();
  log = open(dir.path, config);
  assertLastFiveDeduplicated(log, offsets, 7);
  ok(log.append(idem(7, 0, 16)));
  log.closeUnclean();
  // The same with every snapshot corrupt: the whole log is replayed instead.
  for (const f of readdirSync(`${dir.path}/t-0`).filter((n) => n.endsWith('.snapshot'))) {
    writeFileSync(`${dir.path}/t-0/${f}`, Buffer.from([0, 2, 1, 2, 3, 4, 0, 0, 0, 0]));
  }
  log = open(dir.path, config);
  assert.equal(log.append(idem(7, 0, 14)).errorCode, 'NONE');
  assert.equal((log.append(idem(7, 0, 16)) as { duplicate?: boolean }).duplicate, true);
  log.close();
});

test("DeleteRecords past all of a producer's batches does not make it forget them across a restart", () => {
  using dir = tempDir('pstate-delete');
  const config = { config: { segmentBytes: 300 } };
  let log = open(dir.path, config);
  const offsets = appendBatches(log, 7);
  // Producer 8 fills the segments after producer 7's last batch, so retention can delete all of producer 7's.
  for (let i = 0; i < 3; i++) ok(log.append(idem(8, 0, 2 * i)));
  const r = log.deleteRecords(log.logEndOffset);
  assert.equal(r.errorCode, 'NONE');
  log.runRetention(NOW);
  assert.equal(log.segmentCount, 1, 'every segment holding producer 7 is gone');
  log.closeUnclean();
  // Reopened with the checkpointed logStartOffset, as the broker does.
  log = PartitionLog.open(`${dir.path}/t-0`, 't', 0, {
    config: logConfig({ ackBeforeFsync: true, segmentBytes: 300 }),
    ops: realFileOps,
    clock: () => NOW,
    logStartOffset: offsets[6][1] + 1 + 6,
  });
  const dup = ok(log.append(idem(7, 0, 12)));
  assert.deepEqual([dup.baseOffset, dup.duplicate], [offsets[6][0], true]);
  assert.equal(log.append(idem(7, 0, 20)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  log.close();
});

test('a producer idle for producer.id.expiration.ms is forgotten', () => {
  using dir = tempDir('pstate-expire');
  let now = NOW;
  const log = open(dir.path, { clock: () => now, expirationMs: 60_000 });
  appendBatches(log, 1);
  now += 59_999;
  log.runRetention(now);
  assert.equal(log.append(idem(7, 0, 9)).errorCode, 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'still known');
  now += 1;
  log.runRetention(now);
  ok(log.append(idem(7, 0, 9)));
  log.close();
});

test("snapshots decode what they encode, and Kafka's version-1 snapshots are read", () => {
  const entry = {
    producerId: 2 ** 40 + 3,
    producerEpoch: 5,
    batches: [{ firstSeq: 10, lastSeq: 12, firstOffset: 100, lastOffset: 102, timestamp: NOW }],
    lastTimestamp: NOW,
    coordinatorEpoch: -1,
    currentTxnFirstOffset: -1,
  };
  const bytes = encodeProducerSnapshot([entry, { ...entry, producerId: 1, batches: [] }]);
  assert.deepEqual(decodeProducerSnapshot(bytes), [entry, { ...entry, producerId: 1, batches: [] }]);
  const flipped = Buffer.from(bytes);
  flipped[20] ^= 1;
  assert.equal(decodeProducerSnapshot(flipped), null, 'CRC mismatch refused');
  // Kafka v1: one 46-byte entry; CRC-32C over bytes 6..end.
  const v1 = Buffer.alloc(10 + 46);
  v1.writeInt16BE(1, 0);
  v1.writeInt32BE(1, 6);
  v1.writeBigInt64BE(77n, 10);
  v1.writeInt16BE(2, 18);
  v1.writeInt32BE(12, 20); // lastSequence
  v1.writeBigInt64BE(102n, 24); // lastOffset
  v1.writeInt32BE(2, 32); // offsetDelta
  v1.writeBigInt64BE(BigInt(NOW), 36);
  v1.writeInt32BE(-1, 44);
  v1.writeBigInt64BE(-1n, 48);
  v1.writeUInt32BE(crc32c(v1, 6, v1.length), 2);
  assert.deepEqual(decodeProducerSnapshot(v1), [
    {
      producerId: 77,
      producerEpoch: 2,
      batches: [{ firstSeq: 10, lastSeq: 12, firstOffset: 100, lastOffset: 102, timestamp: NOW }],
      lastTimestamp: NOW,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: -1,
    },
  ]);
});
