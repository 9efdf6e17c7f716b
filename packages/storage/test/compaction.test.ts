// Compaction end to end on the real PartitionLog through LogManager: cleanup.policy=compact logs cleaned by
// cleanerTurn keep exactly the latest record per key (every codec, several segments), drop tombstones after
// delete.retention.ms, never renumber offsets nor touch the active segment; keyless records are refused; retention
// follows the policy; dynamic config changes apply at the next turn; a crash in the middle of a swap recovers;
// appends and reads interleaved with cleaner turns lose nothing and always see valid batches.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type FileOps, realFileOps } from '../src/file-ops.ts';
import type { LogConfig } from '../src/log-config.ts';
import { LogManager } from '../src/log-manager.ts';
import {
  appendRandom,
  assertLatestPerKey,
  CODECS,
  cleanToIdle,
  decodeFrom,
  keyedBatch,
  type Model,
} from './helpers/compaction-fixtures.ts';
import { prng, tempDir } from './helpers/log-fixtures.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 24);

const COMPACTED: Partial<LogConfig> = {
  cleanupPolicy: 'compact',
  segmentBytes: 4096,
  indexIntervalBytes: 256,
  deleteRetentionMs: DAY,
  // Every flush turn fdatasyncs what was appended, so the highWatermark (reads, cleanable range) follows at once.
  flushMs: 0,
};

function open(path: string, config: Partial<LogConfig> = COMPACTED, ops?: FileOps, clock = () => T0) {
  return LogManager.open({ logDir: path, configFor: () => config, ops, clock });
}

function activeBytes(log: { logSegments: readonly { logPath: string }[] }): Buffer {
  return readFileSync(log.logSegments[log.logSegments.length - 1].logPath);
}

for (const seed of [11, 12]) {
  test(`a compacted log read from offset 0 holds exactly the latest record per key (seed ${seed})`, () => {
    using dir = tempDir('compaction');
    const manager = open(dir.path);
    const log = manager.getOrCreateLog('events', 0);
    const model: Model = new Map();
    const rand = prng(seed);
    for (let round = 0; round < 6; round++) {
      const used = appendRandom(log, model, rand, { batches: 50, keys: 40, nowMs: T0 });
      manager.flushTurn(T0);
      if (round === 5) assert.deepEqual([...used].sort(), CODECS, 'every codec written');
    }
    assert.ok(log.segmentCount >= 5, `several segments (${log.segmentCount})`);
    const activeBase = log.activeSegmentBaseOffset;
    const active = activeBytes(log);
    const sizeBefore = log.size;

    assert.ok(cleanToIdle(manager, 4096, T0 + 1) > 1, 'cleaning takes several bounded turns');
    const records = assertLatestPerKey(log, model, false);
    const cleaned = records.filter((r) => r.offset < activeBase);
    assert.equal(new Set(cleaned.map((r) => r.key)).size, cleaned.length, 'one record per key below the active one');
    assert.ok(log.size < sizeBefore, 'the log shrank');
    assert.equal(log.activeSegmentBaseOffset, activeBase);
    assert.deepEqual(activeBytes(log), active, 'active segment untouched');

    // Tombstones stay until delete.retention.ms after the pass that first kept them, then go.
    cleanToIdle(manager, 4096, T0 + DAY);
    assertLatestPerKey(log, model, false);
    cleanToIdle(manager, 4096, T0 + 1 + DAY);
    const after = assertLatestPerKey(log, model, true);
    assert.ok(
      after.every((r) => r.value !== null || r.offset >= activeBase),
      'no tombstone left below the active segment',
    );
    assert.deepEqual(activeBytes(log), active, 'active segment untouched');

    // The same log after a restart: same records, nothing left to clean.
    manager.close();
    const reopened = open(dir.path);
    assert.deepEqual(assertLatestPerKey(reopened.getLog('events', 0)!, model, true), after);
    assert.equal(reopened.cleanerTurn(4096, T0 + 1 + DAY), 0);
    reopened.close();
  });
}

test('a compacted topic refuses a client batch holding a record without a key', () => {
  using dir = tempDir('compaction');
  const manager = open(dir.path);
  const log = manager.getOrCreateLog('events', 3);
  for (const codec of CODECS) {
    const logEndOffset = log.logEndOffset;
    const batch = keyedBatch(
      [
        { key: 'a', value: '1' },
        { key: null, value: '2' },
        { key: 'b', value: null },
        { key: null, value: '4' },
      ],
      codec,
      T0,
    );
    const r = log.append(batch, { nowMs: T0 });
    assert.equal(r.errorCode, 'INVALID_RECORD');
    const message = 'Compacted topic cannot accept message without key in topic partition events-3.';
    assert.ok('message' in r && r.message === message, JSON.stringify(r));
    assert.deepEqual(
      'recordErrors' in r ? r.recordErrors : undefined,
      [1, 3].map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: message })),
    );
    assert.equal(log.logEndOffset, logEndOffset, 'nothing appended');
    // Coordinators (offsets, transactions) write their own records: not checked.
    assert.equal(log.append(Buffer.from(batch), { nowMs: T0, origin: 'coordinator' }).errorCode, 'NONE');
  }
  const keyed = log.append(keyedBatch([{ key: 'a', value: null }], 4, T0), { nowMs: T0 });
  assert.equal(keyed.errorCode, 'NONE', 'a keyed tombstone is fine');
  const plain = manager.getOrCreateLog('plain', 0, { cleanupPolicy: 'delete' });
  assert.equal(plain.append(keyedBatch([{ key: null, value: 'x' }], 0, T0), { nowMs: T0 }).errorCode, 'NONE');
  manager.close();
});

test('retention deletes by time and size only when cleanup.policy has delete; config changes apply next turn', () => {
  using dir = tempDir('compaction');
  const retention: Partial<LogConfig> = { ...COMPACTED, retentionMs: 1000, retentionBytes: 4096 };
  const manager = open(dir.path, retention);
  const compact = manager.getOrCreateLog('compact', 0);
  const both = manager.getOrCreateLog('both', 0, { cleanupPolicy: 'compact,delete' });
  const plain = manager.getOrCreateLog('plain', 0, { cleanupPolicy: 'delete' });
  for (const log of [compact, both, plain]) {
    for (let i = 0; i < 60; i++) {
      const r = log.append(keyedBatch([{ key: `k${i}`, value: 'v'.repeat(100) }], 0, T0), { nowMs: T0 });
      assert.equal(r.errorCode, 'NONE');
    }
    assert.ok(log.segmentCount > 2);
  }
  manager.flushTurn(T0);
  const segments = compact.segmentCount;
  manager.retentionTurn(T0 + DAY);
  assert.equal(compact.segmentCount, segments, 'compact-only: nothing deleted by time or size');
  assert.equal(compact.logStartOffset, 0);
  assert.equal(both.segmentCount, 1, 'compact,delete: expired segments deleted');
  assert.equal(plain.segmentCount, 1, 'delete: expired segments deleted');

  // A dynamic config change (the broker replaces `config` whole) applies at the next turn.
  compact.config = { ...compact.config, cleanupPolicy: 'compact,delete' };
  manager.retentionTurn(T0 + DAY);
  assert.equal(compact.segmentCount, 1);
  plain.config = { ...plain.config, cleanupPolicy: 'compact' };
  assert.equal(plain.append(keyedBatch([{ key: null, value: 'x' }], 0, T0), { nowMs: T0 }).errorCode, 'INVALID_RECORD');
  manager.close();
});

test('a compacted log rolls at max.compaction.lag.ms without an append, then its records are compacted', () => {
  using dir = tempDir('compaction');
  const manager = open(dir.path, { ...COMPACTED, maxCompactionLagMs: 60_000 });
  const log = manager.getOrCreateLog('events', 0);
  for (let i = 0; i < 10; i++) log.append(keyedBatch([{ key: 'k', value: `k@${i}` }], 0, T0), { nowMs: T0 });
  manager.flushTurn(T0);
  assert.equal(manager.cleanerTurn(1 << 20, T0 + 60_000), 0, 'not yet due');
  assert.equal(log.segmentCount, 1);
  cleanToIdle(manager, 1 << 20, T0 + 60_001);
  assert.equal(log.activeSegmentBaseOffset, 10, 'rolled');
  assert.deepEqual(assertLatestPerKey(log, new Map([['k', { offset: 9, value: 'k@9' }]]), true), [
    { offset: 9, key: 'k', value: 'k@9' },
  ]);
  manager.close();
});

test('appends and reads interleaved with cleaner turns lose nothing and read only valid batches', () => {
  using dir = tempDir('compaction');
  let now = T0;
  const manager = open(
    dir.path,
    { ...COMPACTED, minCleanableDirtyRatio: 0.2, fileDeleteDelayMs: 5000 },
    undefined,
    () => now,
  );
  const log = manager.getOrCreateLog('events', 0);
  const other = manager.getOrCreateLog('other', 0);
  const model: Model = new Map();
  const otherModel: Model = new Map();
  const rand = prng(5);
  let held: { r: ReturnType<typeof log.read>; from: number; records: number } | null = null;
  let swapsWhileHeld = 0;
  for (let i = 0; i < 400; i++) {
    now += 10;
    appendRandom(log, model, rand, { batches: 1, keys: 30, nowMs: now });
    appendRandom(other, otherModel, rand, { batches: 1, keys: 30, nowMs: now });
    manager.flushTurn(now);
    const swapped = log.logCleaner?.stats.segmentsSwapped ?? 0;
    manager.cleanerTurn(512, now);
    manager.retentionTurn(now);
    if (held !== null && (log.logCleaner?.stats.segmentsSwapped ?? 0) > swapped) swapsWhileHeld++;
    if (i % 25 === 0) {
      assertLatestPerKey(log, model, false);
      assertLatestPerKey(other, otherModel, false);
      // A read handed out before swaps still reads the bytes it pointed at (the replaced files stay open).
      if (held !== null && held.r.errorCode === 'NONE') {
        assert.equal(decodeFrom(log.readBytes(held.r), held.from).length, held.records);
      }
      const from = log.logStartOffset;
      const r = log.read(from, 4096);
      held = { r, from, records: r.errorCode === 'NONE' ? decodeFrom(log.readBytes(r), from).length : 0 };
    }
  }
  assert.ok(swapsWhileHeld > 0, 'segments were swapped while a read was held');
  assert.ok((log.logCleaner?.stats.passes ?? 0) > 3 && (other.logCleaner?.stats.passes ?? 0) > 3, 'both cleaned');
  cleanToIdle(manager, 1 << 20, now);
  assertLatestPerKey(log, model, false);
  assertLatestPerKey(other, otherModel, false);
  manager.close();
});

/** FileOps whose `crashAt`-th rename of a cleaner file (.cleaned/.swap/.deleted) throws like a crash would stop. */
function crashingOps(crashAt: number): FileOps & { crashed: boolean } {
  let renames = 0;
  const ops = {
    ...realFileOps,
    crashed: false,
    rename(from: string, to: string) {
      if (/\.(cleaned|swap|deleted)$/.test(from) || /\.(cleaned|swap|deleted)$/.test(to)) {
        if (renames++ === crashAt) {
          ops.crashed = true;
          throw Object.assign(new Error('simulated crash'), { code: 'ECRASH' });
        }
      }
      realFileOps.rename(from, to);
    },
  };
  return ops;
}

test('a restart after a crash at any rename of a segment swap recovers a consistent log', () => {
  let crashes = 0;
  for (let k = 0; k < 200; k++) {
    using dir = tempDir('compaction');
    const ops = crashingOps(k);
    const manager = open(dir.path, COMPACTED, ops);
    const log = manager.getOrCreateLog('events', 0);
    const model: Model = new Map();
    appendRandom(log, model, prng(k), { batches: 120, keys: 15, nowMs: T0 });
    manager.flushTurn(T0);
    for (let t = 0; t < 1000 && !ops.crashed && manager.cleanerTurn(1 << 20, T0) > 0; t++);
    if (!ops.crashed) {
      manager.close();
      break;
    }
    crashes++;
    assert.match(log.logCleaner?.uncleanableReason ?? '', /simulated crash/, 'the failure is a value, not a throw');
    manager.abandon();

    const reopened = open(dir.path);
    const recovered = reopened.getLog('events', 0)!;
    assertLatestPerKey(recovered, model, false);
    const leftovers = readdirSync(recovered.dir).filter((f) => /\.(cleaned|swap|deleted)$/.test(f));
    assert.deepEqual(leftovers, [], 'no temporary files after recovery');
    cleanToIdle(reopened, 1 << 20, T0);
    const records = assertLatestPerKey(recovered, model, false);
    const cleaned = records.filter((r) => r.offset < recovered.activeSegmentBaseOffset);
    assert.equal(new Set(cleaned.map((r) => r.key)).size, cleaned.length, 'fully compacted after recovery');
    reopened.close();
  }
  assert.ok(crashes >= 6, `crashed at every rename of at least one swap (${crashes})`);
});

test('deleting a log mid-pass aborts its cleaner and leaves no files behind', () => {
  using dir = tempDir('compaction');
  const manager = open(dir.path);
  const log = manager.getOrCreateLog('events', 0);
  appendRandom(log, new Map(), prng(3), { batches: 200, keys: 20, nowMs: T0 });
  manager.flushTurn(T0);
  manager.cleanerTurn(300, T0);
  assert.equal(log.logCleaner?.busy, true, 'a pass is in progress');
  manager.deleteLog('events', 0);
  assert.equal(log.logCleaner?.stats.aborted, 1);
  assert.deepEqual(
    readdirSync(dir.path).filter((f) => f.startsWith('events')),
    [],
  );
  assert.equal(manager.cleanerTurn(4096, T0), 0);
  manager.close();
});
