// Sending a 256 MiB file range over loopback TCP to a draining reader (a child process that discards), three ways
// interleaved in one run: sendRanges (addon sendfile, zero-copy), sendRangesBuffered (the twin: fs.read into pooled
// 256 KiB buffers + socket.write), and socket.write of 64 KiB chunks from memory (the loopback/Node reference, no
// file). Reports MB/s (MiB = 2^20 bytes) and the sender's CPU (user+sys of this process; the reader is another
// process) per GiB. `node benches/native/send-ranges.bench.ts [repetitions=5]`
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addon, sendRanges, sendRangesBuffered, zeroCopyFd } from '../../native/src/index.ts';

const SIZE = 256 * 1024 * 1024;
const reps = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const path = join(dir, 'segment.log');
const chunk = Buffer.allocUnsafeSlow(1024 * 1024);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131) & 0xff;
const w = openSync(path, 'w');
for (let i = 0; i < SIZE / chunk.length; i++) writeSync(w, chunk);
closeSync(w);
const fd = openSync(path, 'r');
const memory = Buffer.allocUnsafeSlow(64 * 1024).fill(7);

/** A reader process that connects, discards everything, and exits when the sender closes. */
async function connectReader(): Promise<Socket> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  spawn(
    process.execPath,
    ['-e', `require('net').connect(${port}, '127.0.0.1').on('data', () => {}).on('error', () => {})`],
    { stdio: 'ignore' },
  );
  const socket = await accepted;
  server.close();
  return socket;
}

async function fromMemory(socket: Socket): Promise<void> {
  for (let sent = 0; sent < SIZE; sent += memory.length) {
    if (!socket.write(memory)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
}

const variants: Array<[string, (s: Socket) => Promise<unknown>]> = [
  ['sendRanges (sendfile)', (s) => sendRanges(s, Buffer.alloc(64), [{ fd, position: 0, length: SIZE }])],
  ['sendRangesBuffered', (s) => sendRangesBuffered(s, Buffer.alloc(64), [{ fd, position: 0, length: SIZE }])],
  ['socket.write 64 KiB', fromMemory],
];

const results = variants.map(() => ({ mbs: [] as number[], cpu: [] as number[], waits: [] as number[] }));
const socket0 = await connectReader();
if (addon === null || zeroCopyFd(socket0) < 0) console.log('warning: zero-copy path unavailable, sendRanges = twin');
socket0.destroy();
for (let r = 0; r < reps; r++) {
  for (const [v, [, run]] of variants.entries()) {
    const socket = await connectReader();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const sent = (await run(socket)) as { writabilityWaits?: number } | undefined;
    const ns = Number(process.hrtime.bigint() - t0);
    const cpu = process.cpuUsage(cpu0);
    socket.destroy();
    results[v].mbs.push(SIZE / 2 ** 20 / (ns / 1e9));
    results[v].waits.push(sent?.writabilityWaits ?? 0);
    results[v].cpu.push((cpu.user + cpu.system) / 1000 / (SIZE / 2 ** 30));
  }
}
closeSync(fd);
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`256 MiB over 127.0.0.1, ${reps} repetitions interleaved: MB/s median [min..max], sender CPU ms per GiB`);
const base = median(results[1].mbs);
variants.forEach(([name], v) => {
  const { mbs, cpu, waits } = results[v];
  console.log(
    `  ${name.padEnd(24)} ${median(mbs).toFixed(0).padStart(5)} MB/s [${Math.min(...mbs).toFixed(0)}..${Math.max(...mbs).toFixed(0)}]` +
      `  x${(median(mbs) / base).toFixed(2)} buffered   CPU ${median(cpu).toFixed(0)} ms/GiB [${Math.min(...cpu).toFixed(0)}..${Math.max(...cpu).toFixed(0)}]` +
      `  waits ${median(waits)}`,
  );
});
