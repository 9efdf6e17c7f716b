// Ring throughput across two threads: the main thread pushes `count` entries of one size through a ring to a
// worker that reads them in place and releases them; entries/s and MB/s are timed from the first push to the
// worker's report. Next to it, in the same run, a plain memcpy (Uint8Array.prototype.set) of the same bytes into a
// ring-sized buffer on one thread: the floor of the single copy the ring makes.
//
// A timed loop, not tinybench: the measurement spans two threads and ends on the worker's message.
// Usage: node benches/ring/ring.bench.ts [repetitions=7]   (prints a Markdown table)

import { Worker } from 'node:worker_threads';
import { createRing, RingProducer } from '../../packages/ring/src/index.ts';

const RING_CAPACITY = 8 << 20; // 8 MiB: holds 7 entries of 1 MiB; shard rings are expected at 4 .. 16 MiB
const SIZES = [64, 1024, 16 << 10, 1 << 20];
const BYTES_PER_RUN = 256 << 20; // 256 MiB per run and size (64 B entries: capped at 2M entries)
const repetitions = Number(process.argv[2] ?? 7);

const worker = new Worker(new URL('./bench-consumer.ts', import.meta.url));

function runRing(size: number, count: number, payload: Uint8Array): Promise<number> {
  const ring = createRing(RING_CAPACITY);
  const producer = new RingProducer(ring);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    worker.once('message', ({ read }: { read: number }) => {
      if (read !== count) reject(new Error(`worker read ${read} of ${count}`));
      resolve(Number(process.hrtime.bigint() - start) / 1e9);
    });
    worker.postMessage({ ring, count });
    let sent = 0;
    const pump = (): void => {
      // The fast path: reserve, copy once into the ring, commit. When full, hand one entry to the overflow queue
      // and continue once it drained (the producer's drain loop waits on the consumer's release).
      while (sent < count) {
        const at = producer.tryReserve(size);
        if (at < 0) {
          producer.push(sent++, payload);
          producer.whenDrained().then(pump, reject);
          return;
        }
        producer.bytes.set(payload, at);
        producer.commit(sent++);
      }
    };
    pump();
  });
}

function runMemcpy(size: number, count: number, payload: Uint8Array): number {
  const target = new Uint8Array(RING_CAPACITY);
  const slots = Math.floor(RING_CAPACITY / size);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) target.set(payload, (i % slots) * size);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const rows: string[] = [];
for (const size of SIZES) {
  const count = Math.min(2_000_000, Math.floor(BYTES_PER_RUN / size));
  const payload = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 255);
  await runRing(size, Math.min(count, 10_000), payload); // warm-up: compile both loops
  runMemcpy(size, Math.min(count, 10_000), payload);
  const ringRates: number[] = [];
  const copyRates: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    ringRates.push(count / (await runRing(size, count, payload)));
    copyRates.push(count / runMemcpy(size, count, payload));
  }
  const ring = stats(ringRates);
  const copy = stats(copyRates);
  const mb = (rate: number): number => (rate * size) / 1e6;
  rows.push(
    `| ${size >= 1 << 20 ? `${size >> 20} MiB` : size >= 1024 ? `${size >> 10} KiB` : `${size} B`} | ${fmt(count)} ` +
      `| ${fmt(ring.median)} (${fmt(ring.min)}..${fmt(ring.max)}) | ${fmt(mb(ring.median))} (${fmt(mb(ring.min))}..${fmt(mb(ring.max))}) ` +
      `| ${fmt(mb(copy.median))} (${fmt(mb(copy.min))}..${fmt(mb(copy.max))}) | ${fmt(ring.median / copy.median, 3)} |`,
  );
}
console.log(
  `| entry | entries/run | ring entries/s median (min..max) | ring MB/s median (min..max) | memcpy MB/s median (min..max) | ring / memcpy |`,
);
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
await worker.terminate();
