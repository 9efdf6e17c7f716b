// Compaction end to end on a file-backed log: random keys, tombstones and codecs against a model of "latest value
// per key"; delete horizons; min.compaction.lag.ms; the dirty ratio; appends interleaved with clean steps;
// producer state's last batch; the checkpoint across a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRecordBatch, type CompressionType } from '@sluice/protocol/records/record-batch.ts';
import { type CleanerConfig, cleanerConfig } from '../src/cleaner/cleaner-config.ts';
import { LogCleaner } from '../src/cleaner/log-cleaner.ts';
import { batchHasNullKey } from '../src/cleaner/record-filter.ts';
import { realFileOps } from '../src/file-ops.ts';
import { TestLog, tempLogDir } from './cleaner-test-log.ts';

const DAY = 86_400_000;
// Every codec Kafka has: none, gzip, snappy, lz4, zstd.
const CODECS: CompressionType[] = [0, 1, 2, 3, 4];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The model: for each key the offset and value (null = tombstone) of its latest record. */
type Model = Map<string, { offset: number; value: string | null }>;

function appendRandom(log: TestLog, model: Model, rand: () => number, batches: number, keys: number, ts = 1_000) {
  for (let b = 0; b < batches; b++) {
    const n = 1 + Math.floor(rand() * 5);
    const base = log.logEndOffset;
    const records = [];
    for (let i = 0; i < n; i++) {
      const key = `k${Math.floor(rand() * keys)}`;
      const value = rand() < 0.15 ? null : `${key}@${base + i}`;
      records.push({ key, value });
      model.set(key, { offset: base + i, value });
    }
    log.append(records, { compression: CODECS[Math.floor(rand() * CODECS.length)], timestamp: ts });
    if (rand() < 0.2) log.roll();
  }
}

function runToIdle(cleaner: LogCleaner, budget: number, nowMs: number): number {
  let steps = 0;
  while (cleaner.cleanStep(budget, nowMs).state !== 'idle') {
    steps++;
    assert.ok(steps < 100_000, 'cleaner does not converge');
  }
  return steps;
}

/** Offsets strictly increasing, never renumbered (a value names its own offset), every key's latest present. */
function assertConsistent(log: TestLog, model: Model, tombstonesGone: boolean) {
  const records = log.readAll();
  for (let i = 1; i < records.length; i++) assert.ok(records[i].offset > records[i - 1].offset, 'offsets increase');
  const latest = new Map<string, { offset: number; value: string | null }>();
  for (const r of records) {
    assert.notEqual(r.key, null);
    if (r.value !== null) assert.equal(r.value, `${r.key}@${r.offset}`, 'offset renumbered');
    latest.set(r.key!, { offset: r.offset, value: r.value });
  }
  for (const [key, want] of model) {
    if (want.value === null && tombstonesGone) assert.equal(latest.get(key), undefined, `${key} tombstone dropped`);
    else assert.deepEqual(latest.get(key), want, `latest record of ${key}`);
  }
  return records;
}

function config(overrides: Partial<CleanerConfig> = {}): CleanerConfig {
  return cleanerConfig({ deleteRetentionMs: DAY, segmentBytes: 8 * 1024, indexIntervalBytes: 256, ...overrides });
}

for (const seed of [1, 2, 3]) {
  test(`keeps exactly the latest record per key, tombstones until their horizon (seed ${seed})`, () => {
    const rand = mulberry32(seed);
    const log = new TestLog(tempLogDir());
    const model: Model = new Map();
    appendRandom(log, model, rand, 150, 40);
    log.roll();
    log.append([{ key: 'active', value: `active@${log.logEndOffset}` }]);
    model.set('active', { offset: log.logEndOffset - 1, value: `active@${log.logEndOffset - 1}` });
    const active = log.activeBytes();
    const cleaner = new LogCleaner(log, config(), realFileOps);
    const now = 10_000;
    runToIdle(cleaner, 4096, now);
    assert.equal(cleaner.firstDirtyOffset, log.activeSegmentBaseOffset);
    const records = assertConsistent(log, model, false);
    const cleaned = records.filter((r) => r.offset < log.activeSegmentBaseOffset);
    assert.equal(new Set(cleaned.map((r) => r.key)).size, cleaned.length, 'one record per key in the cleaned part');
    for (const r of cleaned.filter((x) => x.value === null)) {
      assert.ok(r.batch.hasDeleteHorizonMs, 'tombstone batch carries a delete horizon');
      assert.equal(r.batch.baseTimestamp, now + DAY);
      assert.equal(r.timestamp, 1_000, 'record timestamp survives the rebase');
    }
    assert.deepEqual(log.activeBytes(), active, 'active segment untouched');
    // Before the horizon, a pass keeps tombstones; after it, they go.
    runToIdle(cleaner, 4096, now + DAY - 1);
    assertConsistent(log, model, false);
    runToIdle(cleaner, 4096, now + DAY);
    assertConsistent(log, model, true);
    assert.deepEqual(log.activeBytes(), active, 'active segment untouched');
  });
}

test('records newer than min.compaction.lag.ms are not compacted', () => {
  const log = new TestLog(tempLogDir());
  for (let i = 0; i < 20; i++) log.append([{ key: 'k', value: `k@${i}` }], { timestamp: 5_000 });
  log.roll();
  log.append([{ key: 'x', value: 'x@20' }]);
  const cleaner = new LogCleaner(log, config({ minCompactionLagMs: 60_000 }), realFileOps);
  runToIdle(cleaner, 1 << 20, 5_000 + 59_999);
  assert.equal(log.readAll().filter((r) => r.key === 'k').length, 20);
  runToIdle(cleaner, 1 << 20, 5_000 + 60_001);
  assert.deepEqual(
    log
      .readAll()
      .filter((r) => r.key === 'k')
      .map((r) => r.offset),
    [19],
  );
});

test('waits until dirty bytes exceed min.cleanable.dirty.ratio of the cleanable part', () => {
  const log = new TestLog(tempLogDir());
  for (let i = 0; i < 100; i++) log.append([{ key: `k${i}`, value: `k${i}@${i}` }]);
  log.roll();
  const cleaner = new LogCleaner(log, config({ minCleanableDirtyRatio: 0.5 }), realFileOps);
  runToIdle(cleaner, 1 << 20, 1);
  // 100 distinct keys: nothing removed; now 30 overwrites (dirty ratio 30/130 < 0.5): no pass.
  for (let i = 0; i < 30; i++) log.append([{ key: `k${i}`, value: `k${i}@${100 + i}` }]);
  log.roll();
  runToIdle(cleaner, 1 << 20, 2);
  assert.equal(log.readAll().length, 130);
  // 80 more (110/210 > 0.5): cleaned.
  for (let i = 30; i < 110; i++) log.append([{ key: `k${i % 100}`, value: `k${i % 100}@${100 + i}` }]);
  log.roll();
  runToIdle(cleaner, 1 << 20, 3);
  assert.equal(log.readAll().length, 100);
});

test('appends interleaved with clean steps lose nothing', () => {
  const rand = mulberry32(7);
  const log = new TestLog(tempLogDir());
  const model: Model = new Map();
  const cleaner = new LogCleaner(log, config({ minCleanableDirtyRatio: 0.1 }), realFileOps);
  for (let round = 0; round < 400; round++) {
    appendRandom(log, model, rand, 1, 25);
    cleaner.cleanStep(300, 1_000);
    if (round % 25 === 0) assertConsistent(log, model, false);
  }
  log.roll();
  runToIdle(cleaner, 300, 1_000);
  assertConsistent(log, model, false);
  assert.ok(cleaner.stats.passes > 1 && cleaner.stats.recordsRemoved > 0);
});

test('keeps an emptied batch when it is its producer last batch, with offsets and sequence intact', () => {
  const log = new TestLog(tempLogDir());
  log.append(
    [
      { key: 'a', value: 'a@0' },
      { key: 'b', value: 'b@1' },
    ],
    { producerId: 42, baseSequence: 0 },
  );
  log.append([{ key: 'a', value: 'a@2' }], { producerId: 43, baseSequence: 0 });
  log.append([{ key: 'b', value: 'b@3' }], { producerId: 43, baseSequence: 1 });
  log.roll();
  runToIdle(new LogCleaner(log, config(), realFileOps), 1 << 20, 1);
  const batches = log.batches();
  const p42 = batches.filter((b) => b.producerId === 42);
  assert.equal(p42.length, 1);
  assert.deepEqual([p42[0].recordsCount, p42[0].baseOffset, p42[0].lastOffsetDelta, p42[0].baseSequence], [0, 0, 1, 0]);
  assert.deepEqual(
    log.readAll().map((r) => r.offset),
    [2, 3],
  );
});

test('a rewritten batch keeps its codec, baseOffset, lastOffsetDelta and producer fields', () => {
  const log = new TestLog(tempLogDir());
  log.append(
    [
      { key: 'a', value: 'a@0' },
      { key: 'b', value: 'b@1' },
      { key: 'c', value: 'c@2' },
    ],
    { compression: 1, producerId: 9, baseSequence: 5 },
  );
  log.append([{ key: 'c', value: 'c@3' }], { producerId: 9, baseSequence: 8 });
  log.roll();
  runToIdle(new LogCleaner(log, config(), realFileOps), 1 << 20, 1);
  const first = log.batches()[0];
  assert.deepEqual(
    [
      first.compression,
      first.baseOffset,
      first.lastOffsetDelta,
      first.producerId,
      first.baseSequence,
      first.recordsCount,
    ],
    [1, 0, 2, 9, 5, 2],
  );
});

test('the cleaner checkpoint survives a restart', () => {
  const dir = tempLogDir();
  const log = new TestLog(dir);
  for (let i = 0; i < 10; i++) log.append([{ key: 'k', value: `k@${i}` }]);
  log.roll();
  runToIdle(new LogCleaner(log, config(), realFileOps), 1 << 20, 1);
  const again = new LogCleaner(new TestLog(dir), config(), realFileOps);
  assert.equal(again.firstDirtyOffset, 10);
  assert.equal(again.cleanStep(1 << 20, 2).state, 'idle');
});

test('batchHasNullKey finds a keyless record in any codec', () => {
  for (const compression of CODECS) {
    const keyed = buildRecordBatch({ compression, records: [{ key: Buffer.from('a'), value: Buffer.from('1') }] });
    const keyless = buildRecordBatch({
      compression,
      records: [
        { key: Buffer.from('a'), value: Buffer.from('1') },
        { key: null, value: Buffer.from('2') },
      ],
    });
    assert.equal(batchHasNullKey(keyed), false);
    assert.equal(batchHasNullKey(keyless), true);
  }
});
