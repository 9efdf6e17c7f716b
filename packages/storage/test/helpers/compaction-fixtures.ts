// Test helpers for compaction on the real PartitionLog: keyed batches in every codec, a model of "latest record per
// key", random appends that name each value after its own offset (`<key>@<offset>`, so a renumbered record shows),
// reading a whole log back through read() + readBytes() + readRecords(), and running cleaner turns until idle.
import assert from 'node:assert/strict';
import {
  buildRecordBatch,
  type CompressionType,
  LOG_OVERHEAD,
  readBatchHeader,
  readRecords,
  validateRecordBatch,
} from '@sluice/protocol/records/record-batch.ts';
import type { LogManager } from '../../src/log-manager.ts';
import type { PartitionLog } from '../../src/partition-log.ts';

/** none, gzip, snappy, lz4, zstd: every codec Kafka has. */
export const CODECS: CompressionType[] = [0, 1, 2, 3, 4];

/** key -> the offset and value (null = tombstone) of its latest record. */
export type Model = Map<string, { offset: number; value: string | null }>;

export interface KeyedRecord {
  key: string | null;
  value: string | null;
}

export function keyedBatch(records: KeyedRecord[], compression: CompressionType, timestamp: number): Buffer {
  return buildRecordBatch({
    compression,
    records: records.map((r) => ({
      timestamp,
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
    })),
  });
}

/**
 * Appends `batches` client batches of 1-5 records with keys from `keys` distinct ones, 15% tombstones, a random
 * codec per batch; updates the model. Returns the codecs used.
 */
export function appendRandom(
  log: PartitionLog,
  model: Model,
  rand: () => number,
  o: { batches: number; keys: number; nowMs: number },
): Set<CompressionType> {
  const used = new Set<CompressionType>();
  for (let b = 0; b < o.batches; b++) {
    const n = 1 + Math.floor(rand() * 5);
    const base = log.logEndOffset;
    const records: KeyedRecord[] = [];
    for (let i = 0; i < n; i++) {
      const key = `k${Math.floor(rand() * o.keys)}`;
      const value = rand() < 0.15 ? null : `${key}@${base + i}`;
      records.push({ key, value });
      model.set(key, { offset: base + i, value });
    }
    const codec = CODECS[Math.floor(rand() * CODECS.length)];
    used.add(codec);
    const r = log.append(keyedBatch(records, codec, o.nowMs), { nowMs: o.nowMs });
    assert.equal(r.errorCode, 'NONE', JSON.stringify(r));
  }
  return used;
}

export interface ReadBack {
  offset: number;
  key: string | null;
  value: string | null;
}

/**
 * Every record from logStartOffset to the highWatermark, the way a consumer fetches: read() from the next offset,
 * readBytes(), every whole batch CRC-checked and decoded. Fails on an invalid batch or a read that does not advance.
 */
export function readLog(log: PartitionLog, maxBytes = 4096): ReadBack[] {
  const out: ReadBack[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = log.read(offset, maxBytes);
    assert.equal(r.errorCode, 'NONE', JSON.stringify(r));
    if (r.errorCode !== 'NONE' || r.size === 0) break;
    const before = offset;
    out.push(...decodeFrom(log.readBytes(r), offset, (next) => (offset = next)));
    assert.ok(offset > before, `read at ${before} advanced`);
  }
  return out;
}

/** Decodes whole batches of `bytes` (a partial last one is skipped); records below `from` are skipped. */
export function decodeFrom(bytes: Buffer, from: number, advance: (next: number) => void = () => {}): ReadBack[] {
  const out: ReadBack[] = [];
  let pos = 0;
  while (pos + LOG_OVERHEAD <= bytes.length) {
    const size = LOG_OVERHEAD + bytes.readInt32BE(pos + 8);
    if (pos + size > bytes.length) break;
    assert.equal(validateRecordBatch(bytes, pos, pos + size), null, 'every batch read is valid');
    const h = readBatchHeader(bytes, pos);
    for (const rec of readRecords(bytes, pos)) {
      if (rec.offset < from) continue;
      out.push({
        offset: rec.offset,
        key: rec.key === null ? null : rec.key.toString(),
        value: rec.value === null ? null : rec.value.toString(),
      });
    }
    advance(h.baseOffset + h.lastOffsetDelta + 1);
    pos += size;
  }
  return out;
}

/**
 * Offsets strictly increase, no record was renumbered (its value names its offset), every key's latest record is
 * there, and (when `tombstonesGone`) keys whose latest record is a tombstone below the active segment (never
 * cleaned) are absent. Returns the records.
 */
export function assertLatestPerKey(log: PartitionLog, model: Model, tombstonesGone: boolean): ReadBack[] {
  const records = readLog(log);
  for (let i = 1; i < records.length; i++) assert.ok(records[i].offset > records[i - 1].offset, 'offsets increase');
  const latest = new Map<string, { offset: number; value: string | null }>();
  for (const r of records) {
    assert.notEqual(r.key, null);
    if (r.value !== null) assert.equal(r.value, `${r.key}@${r.offset}`, 'offset renumbered');
    latest.set(r.key!, { offset: r.offset, value: r.value });
  }
  let expected = 0;
  for (const [key, want] of model) {
    if (want.value === null && tombstonesGone && want.offset < log.activeSegmentBaseOffset) {
      assert.equal(latest.get(key), undefined, `${key} tombstone dropped`);
    } else {
      assert.deepEqual(latest.get(key), want, `latest record of ${key}`);
      expected++;
    }
  }
  assert.equal(latest.size, expected, 'no key the model does not know');
  return records;
}

/** Cleaner turns until one reads nothing (bounded). Returns the number of turns that did work. */
export function cleanToIdle(manager: LogManager, budgetBytes: number, nowMs: number): number {
  let turns = 0;
  while (manager.cleanerTurn(budgetBytes, nowMs) > 0) {
    turns++;
    assert.ok(turns < 10_000, 'cleaner converges');
  }
  return turns;
}
