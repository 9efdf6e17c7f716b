// PartitionLog behaviour a producer, consumer or admin sees: validation errors by Kafka name, LogAppendTime, reads
// bounded by bytes and by the highWatermark, rolls by time, retention by time and size with delayed deletion,
// DeleteRecords surviving restarts, the ackBeforeFsync opt-in, and the leader-epoch checkpoint.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBatchHeader, updateCrc, validateRecordBatch } from '@sluice/protocol/records/record-batch.ts';
import { LogManager } from '../src/log-manager.ts';
import { batchOf, decodeBatches, tempDir } from './helpers/log-fixtures.ts';

const NOW = 1_800_000_000_000;

function openLog(dir: string, config: object = {}, clock = () => NOW) {
  const manager = LogManager.open({ logDir: dir, configFor: () => config, clock });
  return { manager, log: manager.getOrCreateLog('t', 0) };
}

test('invalid batches are rejected with Kafka error names and nothing is appended', () => {
  using dir = tempDir('validate');
  const { manager, log } = openLog(dir.path, { maxMessageBytes: 500 });
  const good = batchOf([{ timestamp: NOW, value: 'ok' }]);
  const badCrc = Buffer.from(good);
  badCrc[badCrc.length - 1] ^= 0xff;
  const countMismatch = Buffer.from(good);
  countMismatch.writeInt32BE(2, 57); // recordsCount 2, lastOffsetDelta 0
  updateCrc(countMismatch, 0);
  const future = batchOf([{ timestamp: NOW + 2 * 3600_000, value: 'future' }]);
  const cases: Array<[string, Buffer, string]> = [
    ['bad CRC', badCrc, 'CORRUPT_MESSAGE'],
    ['truncated', good.subarray(0, good.length - 3), 'CORRUPT_MESSAGE'],
    ['too large', batchOf([{ timestamp: NOW, value: 'x'.repeat(600) }]), 'MESSAGE_TOO_LARGE'],
    ['recordsCount != lastOffsetDelta + 1', countMismatch, 'INVALID_RECORD'],
    ['timestamp an hour past message.timestamp.after.max.ms', future, 'INVALID_TIMESTAMP'],
    ['one bad batch after a good one', Buffer.concat([good, badCrc]), 'CORRUPT_MESSAGE'],
  ];
  for (const [name, bytes, code] of cases) {
    assert.equal(log.append(Buffer.from(bytes)).errorCode, code, name);
    assert.equal(log.logEndOffset, 0, `${name}: nothing appended`);
  }
  const r = log.append(Buffer.concat([good, good]));
  assert.ok(r.errorCode === 'NONE' && r.baseOffset === 0 && r.lastOffset === 1 && r.logAppendTime === -1);
  manager.close();
});

test('LogAppendTime stamps maxTimestamp with a valid CRC and reports the append time', () => {
  using dir = tempDir('lat');
  const { manager, log } = openLog(dir.path, { messageTimestampType: 'LogAppendTime', flushMs: 0 });
  const r = log.append(batchOf([{ timestamp: 5, value: 'a' }]), { partitionLeaderEpoch: 7 });
  assert.ok(r.errorCode === 'NONE' && r.logAppendTime === NOW);
  manager.flushTurn(NOW);
  const read = log.read(0, 1000);
  assert.ok(read.errorCode === 'NONE');
  if (read.errorCode !== 'NONE') return;
  const bytes = log.readBytes(read);
  assert.equal(validateRecordBatch(bytes), null);
  const h = readBatchHeader(bytes);
  assert.equal(h.timestampType, 1);
  assert.equal(h.maxTimestamp, NOW);
  assert.equal(h.partitionLeaderEpoch, 7);
  assert.equal(decodeBatches(bytes)[0].timestamp, NOW);
  manager.close();
  assert.equal(readFileSync(join(dir.path, 't-0', 'leader-epoch-checkpoint'), 'ascii'), '0\n1\n7 0\n');
});

test('reads start at the batch holding the offset, stop at maxBytes (first batch whole) and at the highWatermark', () => {
  using dir = tempDir('read');
  const { manager, log } = openLog(dir.path);
  for (let i = 0; i < 10; i++)
    log.append(
      batchOf([
        { timestamp: NOW, value: `v${i}-${'x'.repeat(100)}` },
        { timestamp: NOW, value: `w${i}` },
      ]),
    );
  assert.equal(log.highWatermark, 0, 'nothing durable yet');
  const hidden = log.read(0, 10_000);
  assert.ok(hidden.errorCode === 'NONE' && hidden.size === 0, 'consumers see nothing before the flush');
  manager.groupCommit.waitFor(log, 19, () => {});
  manager.flushTurn();
  assert.equal(log.highWatermark, 20);
  const r = log.read(5, 10);
  assert.ok(r.errorCode === 'NONE');
  if (r.errorCode !== 'NONE') return;
  const one = decodeBatches(log.readBytes(r));
  assert.deepEqual(
    one.map((x) => x.offset),
    [4, 5],
    'the first batch whole although larger than maxBytes',
  );
  const partial = log.read(5, r.size + 50);
  assert.ok(partial.errorCode === 'NONE' && partial.size === r.size + 50, 'a partial final batch is allowed');
  const strict = log.read(5, 10, { minOneMessage: false });
  assert.ok(strict.errorCode === 'NONE' && strict.size === 10);
  manager.close();
});

test('segments roll on segment.ms; retention deletes old and oversize segments, never the active one', () => {
  using dir = tempDir('retention');
  let now = NOW;
  const { manager, log } = openLog(
    dir.path,
    { segmentMs: 1000, retentionMs: 5000, fileDeleteDelayMs: 100, flushMs: 0 },
    () => now,
  );
  for (let i = 0; i < 8; i++) {
    now += 600;
    log.append(batchOf([{ timestamp: now, value: `v${i}` }]));
  }
  assert.equal(log.segmentCount, 4, 'a new segment every ~1 s of timestamps');
  now += 4000;
  manager.flushTurn(now);
  // Segments [600, 1200] [1800, 2400] [3000, 3600] [4200, 4800] ms; now 8800: the first three are > 5 s old.
  assert.equal(manager.retentionTurn(now), 3, 'segments whose newest record is > 5 s old go');
  assert.equal(log.logStartOffset, 6);
  const partDir = join(dir.path, 't-0');
  assert.ok(
    readdirSync(partDir).some((f) => f.endsWith('.log.deleted')),
    'renamed first',
  );
  manager.retentionTurn(now + 200);
  assert.ok(!readdirSync(partDir).some((f) => f.endsWith('.deleted')), 'unlinked after file.delete.delay.ms');
  now += 60_000;
  manager.retentionTurn(now);
  assert.equal(log.segmentCount, 1, 'the active segment stays even when expired');
  assert.equal(log.read(5, 100).errorCode, 'OFFSET_OUT_OF_RANGE');
  log.config.retentionMs = -1;
  log.config.retentionBytes = 0;
  for (let i = 0; i < 3; i++) {
    log.roll(now);
    log.append(batchOf([{ timestamp: now, value: 'x' }]));
  }
  manager.retentionTurn(now);
  assert.equal(log.segmentCount, 1, 'retention.bytes 0 leaves only the active segment');
  manager.close();
});

test('DeleteRecords advances logStartOffset and it survives a restart', () => {
  using dir = tempDir('delete-records');
  let { manager, log } = openLog(dir.path, { flushMs: 0 });
  for (let i = 0; i < 10; i++) log.append(batchOf([{ timestamp: NOW, value: `v${i}` }]));
  assert.equal(manager.deleteRecords('t', 0, 5)?.errorCode, 'OFFSET_OUT_OF_RANGE', 'above the highWatermark');
  manager.flushTurn(NOW);
  const r = manager.deleteRecords('t', 0, 6);
  assert.ok(r?.errorCode === 'NONE' && 'lowWatermark' in r && r.lowWatermark === 6);
  manager.abandon(); // even without a clean shutdown
  ({ manager, log } = openLog(dir.path));
  assert.equal(log.logStartOffset, 6);
  assert.equal(log.read(5, 100).errorCode, 'OFFSET_OUT_OF_RANGE');
  assert.equal(log.offsetForTimestamp(0)?.offset, 6);
  manager.close();
  assert.ok(existsSync(join(dir.path, '.kafka_cleanshutdown')));
});

test('ackBeforeFsync acknowledges on append and exposes appended data at once (explicit opt-in)', () => {
  using dir = tempDir('ack-before-fsync');
  const { manager, log } = openLog(dir.path, { ackBeforeFsync: true });
  const r = log.append(batchOf([{ timestamp: NOW, value: 'fast' }]));
  assert.ok(r.errorCode === 'NONE');
  let acked = false;
  manager.groupCommit.waitFor(log, r.lastOffset, (e) => {
    acked = e === null;
  });
  assert.ok(acked, 'acknowledged without a flush turn');
  assert.equal(log.durableOffset, 0, 'but not durable yet');
  assert.equal(log.highWatermark, 1);
  manager.close();
});

test('a read reports the whole size of its first batch, even when maxBytes cuts it', () => {
  using dir = tempDir('first-batch-size');
  const { manager, log } = openLog(dir.path, { ackBeforeFsync: true });
  const batches = [
    batchOf([{ timestamp: NOW, value: 'a' }]),
    batchOf([
      { timestamp: NOW, value: 'b'.repeat(700) },
      { timestamp: NOW, value: 'c' },
    ]),
    batchOf([{ timestamp: NOW, value: 'd'.repeat(50) }]),
  ];
  for (const b of batches) assert.equal(log.append(Buffer.from(b)).errorCode, 'NONE');
  const second = log.read(1, 100, { minOneMessage: false });
  assert.ok(second.errorCode === 'NONE');
  assert.equal(second.firstBatchOffset, 1);
  assert.equal(second.firstBatchSize, batches[1].length);
  assert.equal(second.size, 100);
  const third = log.read(3, 1 << 20);
  assert.ok(third.errorCode === 'NONE');
  assert.equal(third.firstBatchSize, batches[2].length);
  const end = log.read(4, 1 << 20);
  assert.ok(end.errorCode === 'NONE');
  assert.deepEqual([end.size, end.firstBatchSize], [0, -1]);
  manager.close();
});
