// Random appends, rolls, retention, DeleteRecords and restarts (clean and unclean) against an in-memory model of
// the log: reads, offsets and timestamp lookups must always agree with it. Seeded, bounded: 12 seeds x 200 steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogManager } from '../src/log-manager.ts';
import type { PartitionLog } from '../src/partition-log.ts';
import { batchOf, decodeBatches, prng, type TestRecord, tempDir } from './helpers/log-fixtures.ts';

const NOW = 1_800_000_000_000;

interface Model {
  records: TestRecord[]; // index = offset
  logStartOffset: number;
}

function expectedOffsetForTimestamp(m: Model, ts: number, end: number): number | null {
  for (let o = m.logStartOffset; o < end; o++) if (m.records[o].timestamp >= ts) return o;
  return null;
}

function checkAgainstModel(log: PartitionLog, m: Model, rnd: () => number, where: string): void {
  const end = m.records.length;
  assert.equal(log.logEndOffset, end, `${where}: logEndOffset`);
  assert.equal(log.logStartOffset, m.logStartOffset, `${where}: logStartOffset`);
  assert.equal(log.highWatermark, end, `${where}: highWatermark after flush`);
  // Reads at random offsets: the first batch holds the offset, everything decoded matches the model.
  for (let i = 0; i < 8 && end > m.logStartOffset; i++) {
    const offset = m.logStartOffset + Math.floor(rnd() * (end - m.logStartOffset));
    const r = log.read(offset, 1 + Math.floor(rnd() * 3000));
    assert.equal(r.errorCode, 'NONE', where);
    if (r.errorCode !== 'NONE') return;
    const records = decodeBatches(log.readBytes(r));
    assert.ok(records.length > 0, `${where}: read at ${offset} returned a whole first batch`);
    assert.ok(records[0].offset <= offset, `${where}: first batch starts at or before ${offset}`);
    assert.ok(
      records.some((rec) => rec.offset === offset),
      `${where}: offset ${offset} is in the first batch`,
    );
    for (const rec of records) {
      assert.equal(rec.value?.toString(), m.records[rec.offset].value, `${where}: value at ${rec.offset}`);
      assert.equal(rec.timestamp, m.records[rec.offset].timestamp, `${where}: timestamp at ${rec.offset}`);
    }
  }
  assert.equal(log.read(end, 1000).errorCode, 'NONE', `${where}: read at logEndOffset is empty, not an error`);
  assert.equal(log.read(end + 1, 1000).errorCode, 'OFFSET_OUT_OF_RANGE', where);
  if (m.logStartOffset > 0) assert.equal(log.read(m.logStartOffset - 1, 10).errorCode, 'OFFSET_OUT_OF_RANGE', where);
  // Timestamp lookups (ListOffsets): first offset >= logStartOffset with timestamp >= target.
  for (let i = 0; i < 6; i++) {
    const ts = NOW - 100_000 + Math.floor(rnd() * 110_000);
    const expected = expectedOffsetForTimestamp(m, ts, end);
    const got = log.offsetForTimestamp(ts);
    assert.equal(got?.offset ?? null, expected, `${where}: offsetForTimestamp(${ts})`);
    if (expected !== null) assert.equal(got?.timestamp, m.records[expected].timestamp, where);
  }
  let maxOffset: number | null = null;
  for (let o = m.logStartOffset; o < end; o++) {
    if (maxOffset === null || m.records[o].timestamp > m.records[maxOffset].timestamp) maxOffset = o;
  }
  assert.equal(log.offsetOfMaxTimestamp()?.offset ?? null, maxOffset, `${where}: offsetOfMaxTimestamp`);
}

/** A waiter at logEndOffset - 1 makes the next turn fdatasync (flush.ms is effectively off in these logs). */
function flushAll(manager: LogManager, log: PartitionLog): boolean {
  let acked = log.logEndOffset === 0;
  manager.groupCommit.waitFor(log, log.logEndOffset - 1, (e) => {
    acked = e === null;
  });
  manager.flushTurn();
  return acked;
}

for (let seed = 1; seed <= 12; seed++) {
  test(`reads, offsets and timestamp lookups agree with the model through rolls, retention and restarts (seed ${seed})`, () => {
    using dir = tempDir('model');
    const rnd = prng(seed);
    const config = {
      segmentBytes: 2000 + Math.floor(rnd() * 6000),
      indexIntervalBytes: Math.floor(rnd() * 600),
      segmentIndexBytes: 64 + Math.floor(rnd() * 400), // small: exercises rolls on a full index too
      retentionBytes: -1,
      retentionMs: -1,
      fileDeleteDelayMs: 0,
      indexFlushBytes: rnd() < 0.5 ? 0 : 8 * Math.floor(rnd() * 20),
      flushMs: Number.MAX_SAFE_INTEGER,
    };
    const open = () => LogManager.open({ logDir: dir.path, configFor: () => config, clock: () => NOW });
    let manager = open();
    let log = manager.getOrCreateLog('model-topic', 3);
    const m: Model = { records: [], logStartOffset: 0 };
    let seq = 0;
    for (let step = 0; step < 200; step++) {
      const p = rnd();
      const where = `seed ${seed} step ${step}`;
      if (p < 0.7) {
        const n = 1 + Math.floor(rnd() * 12);
        const recs: TestRecord[] = [];
        for (let i = 0; i < n; i++) {
          recs.push({ timestamp: NOW - Math.floor(rnd() * 100_000), value: `v${seq++}-${'x'.repeat(rnd() * 200)}` });
        }
        const r = log.append(batchOf(recs, rnd() < 0.2 ? 1 : 0));
        assert.equal(r.errorCode, 'NONE', where);
        if (r.errorCode === 'NONE') assert.equal(r.baseOffset, m.records.length, `${where}: baseOffset`);
        m.records.push(...recs);
      } else if (p < 0.75) {
        log.roll();
      } else if (p < 0.8) {
        flushAll(manager, log);
        const target = m.logStartOffset + Math.floor(rnd() * (m.records.length - m.logStartOffset + 1));
        const r = manager.deleteRecords('model-topic', 3, target);
        assert.equal(r?.errorCode, 'NONE', where);
        m.logStartOffset = Math.max(m.logStartOffset, target);
      } else if (p < 0.85) {
        log.config.retentionBytes = Math.floor(rnd() * 8000);
        manager.retentionTurn();
        log.config.retentionBytes = -1;
        // Retention deletes whole segments from the front: logStartOffset may only move forward, to a segment base.
        assert.ok(log.logStartOffset >= m.logStartOffset, where);
        assert.ok(log.logStartOffset === m.logStartOffset || log.segmentBaseOffsets[0] === log.logStartOffset, where);
        m.logStartOffset = log.logStartOffset;
      } else if (p < 0.92) {
        flushAll(manager, log);
        if (rnd() < 0.5) manager.close();
        else manager.abandon(); // unclean: no marker, active indexes left preallocated
        manager = open();
        log = manager.getLog('model-topic', 3)!;
        assert.ok(log, where);
      } else {
        assert.ok(flushAll(manager, log), `${where}: durable waiter completed by the flush turn`);
        checkAgainstModel(log, m, rnd, where);
      }
    }
    flushAll(manager, log);
    checkAgainstModel(log, m, rnd, `seed ${seed} end`);
    manager.close();
    manager = open();
    checkAgainstModel(manager.getLog('model-topic', 3)!, m, rnd, `seed ${seed} reopened`);
    manager.close();
  });
}
