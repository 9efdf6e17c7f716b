// Read-location lookup latency in a big log: PartitionLog.read (where the bytes of a fetch are: segment binary search,
// offset-index binary search, header scan of <= index.interval.bytes) at random offsets, and offsetForTimestamp
// (ListOffsets by time: time index, offset index, header scan, decode of one batch) at random timestamps.
// Builds the log first (16 KiB batches of 1 KiB records, one timestamp step per batch), reopens it (clean open,
// timed), measures, then deletes it.
// Usage: node benches/storage/read-lookup.bench.ts [--gib 10] [--segment-mib 1024] [--dir /work/tmp-bench] [--n 20000]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildRecordBatch } from '../../packages/protocol/src/records/record-batch.ts';
import { LogManager } from '../../packages/storage/src/log-manager.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const GIB = 1024 ** 3;
const totalBytes = Number(arg('gib', '10')) * GIB;
const segmentBytes = Number(arg('segment-mib', '1024')) * 1024 * 1024;
const baseDir = arg('dir', '/work/tmp-bench');
const n = Number(arg('n', '20000'));
const T0 = 1_790_000_000_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function summary(ns: number[]): string {
  const s = [...ns].sort((a, b) => a - b);
  const us = (x: number) => (x / 1000).toFixed(1);
  return `p50 ${us(percentile(s, 0.5))} µs, p99 ${us(percentile(s, 0.99))} µs, max ${us(s[s.length - 1])} µs`;
}

// mulberry32, seeded: the same lookups every run.
let seed = 42;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

mkdirSync(baseDir, { recursive: true });
const dir = mkdtempSync(join(baseDir, 'lookup-'));
try {
  const config = () => ({ segmentBytes, retentionMs: -1, messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER });
  let manager = LogManager.open({ logDir: dir, configFor: config, clock: () => T0 + 1e9 });
  let log = manager.getOrCreateLog('big', 0);
  const value = Buffer.alloc(1024, 0x62);
  const records = 15; // 15 x ~1 KiB = one ~16 KiB batch
  let batches = 0;
  const buildStart = process.hrtime.bigint();
  for (let written = 0; written < totalBytes; batches++) {
    const batch = buildRecordBatch({
      records: Array.from({ length: records }, () => ({ timestamp: T0 + batches, value })),
    });
    const r = log.append(batch);
    if (r.errorCode !== 'NONE') throw new Error(r.message);
    written += batch.length;
  }
  const buildS = Number(process.hrtime.bigint() - buildStart) / 1e9;
  manager.close();
  const openStart = process.hrtime.bigint();
  manager = LogManager.open({ logDir: dir, configFor: config, clock: () => T0 + 1e9 });
  const openMs = Number(process.hrtime.bigint() - openStart) / 1e6;
  log = manager.getLog('big', 0)!;
  const end = log.logEndOffset;
  console.log(
    `log: ${(totalBytes / GIB).toFixed(1)} GiB, ${log.segmentCount} segments of ${segmentBytes / 2 ** 20} MiB, ` +
      `${batches} batches, ${end} records; built in ${buildS.toFixed(1)} s; clean open ${openMs.toFixed(0)} ms`,
  );
  for (let round = 0; round < 3; round++) {
    const reads: number[] = [];
    for (let i = 0; i < n; i++) {
      const offset = Math.floor(rnd() * end);
      const t = process.hrtime.bigint();
      const r = log.read(offset, 1024 * 1024);
      reads.push(Number(process.hrtime.bigint() - t));
      if (r.errorCode !== 'NONE' || r.size === 0) throw new Error(`read at ${offset} failed`);
    }
    const times: number[] = [];
    for (let i = 0; i < n / 4; i++) {
      const ts = T0 + Math.floor(rnd() * batches);
      const t = process.hrtime.bigint();
      const found = log.offsetForTimestamp(ts);
      times.push(Number(process.hrtime.bigint() - t));
      if (found === null || found.timestamp !== ts) throw new Error(`timestamp ${ts} not found`);
    }
    console.log(`round ${round + 1}: read location (${n} random offsets): ${summary(reads)}`);
    console.log(`round ${round + 1}: offsetForTimestamp (${n / 4} random timestamps): ${summary(times)}`);
  }
  manager.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
