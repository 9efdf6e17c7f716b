// Test helpers: temporary log dirs, record batches with known contents, a seeded PRNG, and decoding whatever a
// ReadResult points at back into records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecordBatch, LOG_OVERHEAD, type Record, readRecords } from '@sluice/protocol/records/record-batch.ts';

export function tempDir(prefix: string): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** mulberry32: small, fast, good enough for test inputs; the seed makes a failure reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TestRecord {
  timestamp: number;
  value: string;
}

/** A client batch (baseOffset 0, epoch -1) holding these records. */
export function batchOf(records: TestRecord[], compression: 0 | 1 = 0): Buffer {
  return buildRecordBatch({
    compression,
    records: records.map((r) => ({ timestamp: r.timestamp, key: null, value: Buffer.from(r.value) })),
  });
}

/** Decodes every whole batch in `bytes` (a trailing partial batch is skipped, as clients do). */
export function decodeBatches(bytes: Buffer): Record[] {
  const out: Record[] = [];
  let pos = 0;
  while (pos + LOG_OVERHEAD <= bytes.length) {
    const size = LOG_OVERHEAD + bytes.readInt32BE(pos + 8);
    if (pos + size > bytes.length) break;
    out.push(...readRecords(bytes, pos));
    pos += size;
  }
  return out;
}
