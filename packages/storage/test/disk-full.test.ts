// Disk full and I/O errors (injected through FileOps): an append that cannot be written fails with
// KAFKA_STORAGE_ERROR and leaves nothing half-written; a failed fdatasync fails its waiters; nothing unwritten or
// undurable is acknowledged; what was written stays readable; appends work again once space is back.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import { LogManager } from '../src/log-manager.ts';
import type { PartitionLog } from '../src/partition-log.ts';
import type { StorageError } from '../src/storage-error.ts';
import { FaultyFileOps } from './helpers/faulty-file-ops.ts';
import { batchOf, decodeBatches, tempDir } from './helpers/log-fixtures.ts';

const NOW = 1_800_000_000_000;

function values(log: PartitionLog): string[] {
  const out: string[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = log.read(offset, 1 << 20);
    if (r.errorCode !== 'NONE') throw new Error(r.message);
    const recs = decodeBatches(log.readBytes(r));
    for (const rec of recs) out.push(rec.value!.toString());
    offset = recs[recs.length - 1].offset + 1;
  }
  return out;
}

/** Appends one batch and waits for durability through a flush turn; returns the ack (or error) it got. */
function produce(
  manager: LogManager,
  log: PartitionLog,
  value: string,
): { acked: boolean; error: StorageError | null } {
  const r = log.append(batchOf([{ timestamp: NOW, value }]));
  if (r.errorCode !== 'NONE') return { acked: false, error: r };
  let outcome: { acked: boolean; error: StorageError | null } = { acked: false, error: null };
  manager.groupCommit.waitFor(log, r.lastOffset, (error) => {
    outcome = { acked: error === null, error };
  });
  manager.flushTurn(NOW);
  return outcome;
}

test('a full disk fails the append, keeps what was written, and appends resume once space is freed', () => {
  using dir = tempDir('disk-full');
  const ops = new FaultyFileOps();
  const config = { segmentBytes: 1500, indexIntervalBytes: 100, segmentIndexBytes: 240 };
  let manager = LogManager.open({ logDir: dir.path, ops, configFor: () => config, clock: () => NOW });
  let log = manager.getOrCreateLog('full', 0);
  const acked: string[] = [];
  let failures = 0;
  for (let i = 0; i < 120; i++) {
    // Every 10th produce finds the disk with 0..90 bytes left: the write is partial or fails outright.
    if (i % 10 === 5) ops.spaceLeft = (i * 7) % 91;
    const value = `value-${i}-${'p'.repeat(i % 40)}`;
    const before = log.logEndOffset;
    const out = produce(manager, log, value);
    if (out.acked) {
      acked.push(value);
    } else {
      failures++;
      assert.equal(out.error?.errorCode, 'KAFKA_STORAGE_ERROR', `produce ${i}`);
      assert.match(out.error?.message ?? '', /ENOSPC/);
      assert.equal(log.logEndOffset, before, `produce ${i}: a failed append assigns no offset`);
      // Only what was acknowledged is visible, and the .log on disk holds no partial batch.
      assert.deepEqual(values(log), acked, `produce ${i}: acknowledged data still readable`);
      const active = log.logSegments[log.segmentCount - 1];
      assert.equal(statSync(active.logPath).size, active.size, `produce ${i}: partial write cut back`);
      ops.spaceLeft = Number.POSITIVE_INFINITY; // space freed
    }
  }
  assert.ok(failures >= 10, 'the disk filled up repeatedly');
  assert.ok(log.segmentCount > 3, 'rolls happened around the failures');
  assert.deepEqual(values(log), acked);
  // After a crash (no clean shutdown) the log holds exactly the acknowledged data, no garbage of failed writes.
  manager.abandon();
  manager = LogManager.open({ logDir: dir.path, ops, configFor: () => config, clock: () => NOW });
  log = manager.getLog('full', 0)!;
  assert.deepEqual(values(log), acked);
  assert.ok(produce(manager, log, 'after-restart').acked);
  manager.close();
});

test('a failed fdatasync fails its waiters and acknowledges nothing until a flush succeeds', () => {
  using dir = tempDir('eio');
  const ops = new FaultyFileOps();
  const manager = LogManager.open({ logDir: dir.path, ops, clock: () => NOW });
  const log = manager.getOrCreateLog('eio', 0);
  assert.ok(produce(manager, log, 'durable-1').acked);
  ops.failFdatasync = true;
  const failed = produce(manager, log, 'not-durable');
  assert.equal(failed.acked, false);
  assert.equal(failed.error?.errorCode, 'KAFKA_STORAGE_ERROR');
  assert.match(failed.error?.message ?? '', /EIO/);
  assert.equal(log.highWatermark, 1, 'highWatermark stays at the last durable offset');
  assert.deepEqual(values(log), ['durable-1'], 'consumers do not see undurable data');
  ops.failFdatasync = false;
  assert.ok(produce(manager, log, 'durable-2').acked);
  assert.equal(log.highWatermark, 3);
  assert.deepEqual(values(log), ['durable-1', 'not-durable', 'durable-2']);
  manager.close();
});
