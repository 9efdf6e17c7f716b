// Append throughput of a PartitionLog (validate with CRC-32C, assign offsets, write, index, group-commit fdatasync)
// next to a plain sequential-write loop of the same bytes with the same fdatasync cadence, and the plain loop plus a
// CRC-32C pass over each batch (what validation costs), measured interleaved in one run so the machine's drift hits
// all three alike. Cases: records of 1 KiB and 100 B, in batches of 16 KiB and 1 MiB, with each flush policy:
//   turn   fdatasync after every append turn (one batch per turn: the worst case of acks waiting for durability)
//   1MiB   fdatasync once 1 MiB is unflushed (flush.messages = records per MiB)
//   16MiB  fdatasync once 16 MiB is unflushed
//   none   no fdatasync (page cache only; the OS writes back)
// Usage: node benches/storage/append-throughput.bench.ts [--mib N] [--rounds R] [--dir PATH] [--json]
// Writes N MiB (default 128) per measurement into a temporary dir under --dir (default /work/tmp-bench), deleted after.
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../../packages/protocol/src/records/crc32c.ts';
import { buildRecordBatch } from '../../packages/protocol/src/records/record-batch.ts';
import { LogManager } from '../../packages/storage/src/log-manager.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const MIB = 1024 * 1024;
const totalBytes = Number(arg('mib', '128')) * MIB;
const rounds = Number(arg('rounds', '3'));
const baseDir = arg('dir', '/work/tmp-bench');
const json = args.includes('--json');
const policies = arg('policies', 'turn,1MiB,16MiB,none').split(',');

type Policy = 'turn' | '1MiB' | '16MiB' | 'none';
const flushEveryBytes: Record<Policy, number> = {
  turn: 0,
  '1MiB': MIB,
  '16MiB': 16 * MIB,
  none: Number.POSITIVE_INFINITY,
};

function makeBatch(recordSize: number, batchSize: number): Buffer {
  const n = Math.max(1, Math.floor(batchSize / (recordSize + 12)));
  const value = Buffer.alloc(recordSize, 0x61);
  return buildRecordBatch({ records: Array.from({ length: n }, () => ({ timestamp: Date.now(), value })) });
}

function runLog(dir: string, batch: Buffer, records: number, policy: Policy): number {
  const manager = LogManager.open({
    logDir: dir,
    configFor: () => ({
      flushMs: Number.MAX_SAFE_INTEGER,
      flushMessages:
        policy === 'turn'
          ? 1
          : policy === 'none'
            ? Number.MAX_SAFE_INTEGER
            : Math.ceil((flushEveryBytes[policy] / batch.length) * records),
    }),
  });
  const log = manager.getOrCreateLog('bench', 0);
  const copy = Buffer.from(batch);
  const start = process.hrtime.bigint();
  for (let written = 0; written < totalBytes; written += batch.length) {
    const r = log.append(copy);
    if (r.errorCode !== 'NONE') throw new Error(r.message);
    manager.flushTurn(0); // one append turn; flushes when flush.messages says so
  }
  const ns = Number(process.hrtime.bigint() - start);
  manager.abandon();
  return totalBytes / MIB / (ns / 1e9);
}

function runPlain(dir: string, batch: Buffer, policy: Policy, withCrc: boolean): number {
  const fd = openSync(join(dir, 'plain.log'), 'w+');
  const every = flushEveryBytes[policy];
  let unflushed = 0;
  let position = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let written = 0; written < totalBytes; written += batch.length) {
    if (withCrc) sink ^= crc32c(batch, 21);
    let done = 0;
    while (done < batch.length) done += writeSync(fd, batch, done, batch.length - done, position + done);
    position += batch.length;
    unflushed += batch.length;
    if (unflushed >= every || every === 0) {
      fdatasyncSync(fd);
      unflushed = 0;
    }
  }
  const ns = Number(process.hrtime.bigint() - start);
  closeSync(fd);
  if (sink === 0.5) console.log(sink);
  return totalBytes / MIB / (ns / 1e9);
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

mkdirSync(baseDir, { recursive: true });
const rows: object[] = [];
for (const recordSize of [1024, 100]) {
  for (const batchSize of [16 * 1024, MIB]) {
    const batch = makeBatch(recordSize, batchSize);
    const records = batch.readInt32BE(57);
    for (const policy of policies as Policy[]) {
      const results = { log: [] as number[], plain: [] as number[], plainCrc: [] as number[] };
      for (let r = 0; r < rounds; r++) {
        // Alternate the order so neither variant always runs on a warmer (or more loaded) machine.
        const order: Array<keyof typeof results> =
          r % 2 === 0 ? ['log', 'plain', 'plainCrc'] : ['plainCrc', 'plain', 'log'];
        for (const which of order) {
          const dir = mkdtempSync(join(baseDir, 'append-'));
          try {
            results[which].push(
              which === 'log'
                ? runLog(dir, batch, records, policy)
                : runPlain(dir, batch, policy, which === 'plainCrc'),
            );
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }
      }
      const row = {
        record: recordSize,
        batch: batchSize,
        batchBytes: batch.length,
        policy,
        log: stats(results.log),
        plain: stats(results.plain),
        plainCrc: stats(results.plainCrc),
        ratio: stats(results.log).median / stats(results.plain).median,
        ratioVsCrc: stats(results.log).median / stats(results.plainCrc).median,
      };
      rows.push(row);
      if (!json) {
        const f = (s: { median: number; min: number; max: number }) =>
          `${s.median.toFixed(0)} (${s.min.toFixed(0)}..${s.max.toFixed(0)})`;
        console.log(
          `| ${recordSize} B | ${batchSize / 1024} KiB | ${policy} | ${f(row.log)} | ${f(row.plain)} | ${f(row.plainCrc)} | ${(row.ratio * 100).toFixed(0)}% | ${(row.ratioVsCrc * 100).toFixed(0)}% |`,
        );
      }
    }
  }
}
if (json) console.log(JSON.stringify(rows, null, 1));
