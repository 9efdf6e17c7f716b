// The machine's limits in the same run as the brokers (BENCHMARKS.md section 1), on the disk the brokers use
// (os.tmpdir(), where their data directories go):
// - sequential write with fdatasync every 1 MiB and every 16 MiB (1 MiB writeSync calls into a fresh file);
// - one 4 KiB write + fdatasync, latency p50/p99 (appending, like a log tail);
// - loopback TCP: this process writes 64 KiB chunks to a separate Node process that discards (backpressure honoured);
// - memcpy: Buffer#copy of 1 MiB at rotating offsets in a 64 MiB buffer.
// Every file is deleted, the reader process ends with the socket. `node benches/load/machine-limits.ts [scale]`
// prints the JSON (scale 1 = 256 MiB per disk pass, 1 GiB over loopback; smaller scales for quick checks).
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MachineLimits {
  fdatasyncEvery1MiBMBps: number;
  fdatasyncEvery16MiBMBps: number;
  fdatasync4KiBp50Ms: number;
  fdatasync4KiBp99Ms: number;
  loopbackMBps: number;
  memcpyMBps: number;
}

const MiB = 1024 * 1024;
const sec = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

function syncedWrite(dir: string, totalMiB: number, syncEveryMiB: number): number {
  const path = join(dir, `w-${syncEveryMiB}`);
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(MiB, 7);
  const t0 = process.hrtime.bigint();
  for (let i = 1; i <= totalMiB; i++) {
    writeSync(fd, chunk);
    if (i % syncEveryMiB === 0) fdatasyncSync(fd);
  }
  fdatasyncSync(fd);
  const s = sec(t0);
  closeSync(fd);
  rmSync(path);
  return totalMiB / s / 1.048576;
}

function fdatasyncLatency(dir: string, n: number): { p50: number; p99: number } {
  const path = join(dir, 'lat');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    writeSync(fd, block);
    fdatasyncSync(fd);
    ms.push(sec(t0) * 1000);
  }
  closeSync(fd);
  rmSync(path);
  ms.sort((x, y) => x - y);
  return { p50: ms[Math.floor(n * 0.5)], p99: ms[Math.floor(n * 0.99)] };
}

const READER = `const s=require('net').createServer(c=>{c.on('data',()=>{});c.on('close',()=>process.exit(0))});
s.listen(0,'127.0.0.1',()=>console.log(s.address().port));setTimeout(()=>process.exit(1),60000);`;

async function loopback(totalMiB: number): Promise<number> {
  const reader = spawn(process.execPath, ['-e', READER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => reader.stdout.once('data', (b: Buffer) => resolve(Number(b))));
  const sock = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const chunk = Buffer.alloc(64 * 1024, 3);
  const n = (totalMiB * MiB) / chunk.length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
  }
  await new Promise<void>((r) => sock.end(r));
  const s = sec(t0);
  await new Promise((r) => reader.once('exit', r));
  return (totalMiB * MiB) / 1e6 / s;
}

function memcpy(totalMiB: number): number {
  const big = Buffer.alloc(64 * MiB);
  const src = Buffer.alloc(MiB, 5);
  for (let i = 0; i < 64; i++) src.copy(big, i * MiB); // first touch outside the timing
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < totalMiB; i++) src.copy(big, (i % 64) * MiB);
  return (totalMiB * MiB) / 1e6 / sec(t0);
}

export async function measureMachineLimits(scale = 1): Promise<MachineLimits> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-limits-'));
  try {
    const mib = Math.max(16, Math.round(256 * scale));
    const f1 = syncedWrite(dir, mib, 1);
    const f16 = syncedWrite(dir, mib, 16);
    const lat = fdatasyncLatency(dir, Math.max(200, Math.round(2000 * scale)));
    const lo = await loopback(Math.max(64, Math.round(1024 * scale)));
    const mc = memcpy(Math.max(256, Math.round(4096 * scale)));
    return {
      fdatasyncEvery1MiBMBps: f1,
      fdatasyncEvery16MiBMBps: f16,
      fdatasync4KiBp50Ms: lat.p50,
      fdatasync4KiBp99Ms: lat.p99,
      loopbackMBps: lo,
      memcpyMBps: mc,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await measureMachineLimits(Number(process.argv[2] ?? 1))));
}
