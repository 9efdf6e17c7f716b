// Offset index and time index: Kafka's byte layout, lookups, truncation, preallocation and trimming, and rejection
// of files that cannot be trusted.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { realFileOps } from '../src/file-ops.ts';
import { OffsetIndex } from '../src/offset-index.ts';
import { TimeIndex } from '../src/time-index.ts';
import { tempDir } from './helpers/log-fixtures.ts';

test('offset index entries are (relative offset u32, position u32) big-endian, preallocated then trimmed', () => {
  using dir = tempDir('oi');
  const path = join(dir.path, '00000000000000001000.index');
  const index = OffsetIndex.create(realFileOps, path, 1000, 800);
  assert.equal(statSync(path).size, 800, 'preallocated to segment.index.bytes');
  index.append(1005, 4100);
  index.append(1020, 8300);
  index.trimToValidSize();
  index.close();
  assert.deepEqual([...readFileSync(path)], [0, 0, 0, 5, 0, 0, 0x10, 0x04, 0, 0, 0, 20, 0, 0, 0x20, 0x6c]);
  const { index: again, corrupt } = OffsetIndex.open(realFileOps, path, 1000, 800, false);
  assert.equal(corrupt, null);
  assert.deepEqual(again.lookup(999), { offset: 1000, position: 0 }, 'below the first entry: segment start');
  assert.deepEqual(again.lookup(1005), { offset: 1005, position: 4100 });
  assert.deepEqual(again.lookup(1019), { offset: 1005, position: 4100 });
  assert.deepEqual(again.lookup(5000), { offset: 1020, position: 8300 });
  again.close();
});

test('offset index loading stops at the preallocated zero tail and rejects out-of-order entries', () => {
  using dir = tempDir('oi2');
  const path = join(dir.path, '00000000000000000000.index');
  const index = OffsetIndex.create(realFileOps, path, 0, 80);
  for (let i = 1; i <= 5; i++) index.append(i * 10, i * 5000);
  index.flush(); // a crash now leaves 5 entries and 5 zero slots
  index.close();
  const { index: reopened, corrupt } = OffsetIndex.open(realFileOps, path, 0, 80, true);
  assert.equal(corrupt, null);
  assert.equal(reopened.entries, 5);
  reopened.truncateTo(30);
  assert.equal(reopened.entries, 2, 'entries at and after offset 30 removed');
  reopened.close();
  const bytes = readFileSync(path);
  bytes.writeUInt32BE(5, 8); // entry 1 offset 5 < entry 0 offset 10
  writeFileSync(path, bytes);
  assert.match(OffsetIndex.open(realFileOps, path, 0, 80, true).corrupt ?? '', /does not follow/);
  writeFileSync(path, bytes.subarray(0, 13));
  assert.match(OffsetIndex.open(realFileOps, path, 0, 80, true).corrupt ?? '', /multiple of 8/);
});

test('time index entries are (timestamp i64, relative offset u32) and only grow', () => {
  using dir = tempDir('ti');
  const path = join(dir.path, '00000000000000000100.timeindex');
  const index = TimeIndex.create(realFileOps, path, 100, 120);
  index.maybeAppend(1_700_000_000_000, 105);
  index.maybeAppend(1_699_999_999_999, 110); // not larger: skipped
  index.maybeAppend(1_700_000_000_500, 120);
  index.trimToValidSize();
  index.close();
  const bytes = readFileSync(path);
  assert.equal(bytes.length, 24);
  assert.equal(bytes.readBigInt64BE(0), 1_700_000_000_000n);
  assert.equal(bytes.readUInt32BE(8), 5);
  assert.equal(bytes.readBigInt64BE(12), 1_700_000_000_500n);
  assert.equal(bytes.readUInt32BE(20), 20);
  const { index: again } = TimeIndex.open(realFileOps, path, 100, 120, false);
  assert.deepEqual(again.lookup(1_600_000_000_000), { timestamp: -1, offset: 100 });
  assert.deepEqual(again.lookup(1_700_000_000_200), { timestamp: 1_700_000_000_000, offset: 105 });
  assert.deepEqual(again.lastEntry, { timestamp: 1_700_000_000_500, offset: 120 });
  again.close();
});
