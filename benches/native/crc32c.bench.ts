// CRC-32C: the JavaScript twin vs the addon (SSE4.2, three interleaved streams) vs the addon's table fallback vs the
// pick protocol makes (crc32c), at 64 B, 1 KiB, 16 KiB and 1 MiB, with memcpy (Uint8Array.set) of the same size as
// the machine's reference in the same run. Variants interleave (A B C D E, repeated), each sample ~40 ms.
// `node benches/native/crc32c.bench.ts [repetitions=7]`; also prints the per-call cost around the crossover.
import { addon, crc32c, crc32cUpdateJs } from '../../native/src/index.ts';

if (addon === null) {
  console.error('the native addon is not loaded (run scripts/setup, and leave SLUICE_NATIVE unset)');
  process.exit(1);
}
const native = addon;
const reps = Number(process.argv[2] ?? 7);
const SAMPLE_NS = 40e6;

function fill(n: number): Buffer {
  const b = Buffer.allocUnsafeSlow(n + 64);
  for (let i = 0; i < b.length; i++) b[i] = (Math.imul(i, 2654435761) >>> 11) & 0xff;
  return b;
}

type Variant = [name: string, run: (iters: number) => number];

function variants(n: number): Variant[] {
  const data = fill(n);
  const src = data.subarray(3, 3 + n);
  const dst = Buffer.allocUnsafeSlow(n);
  dst.fill(1);
  return [
    [
      'memcpy',
      (k) => {
        let s = 0;
        for (let i = 0; i < k; i++) {
          dst.set(src);
          s ^= dst[i & (n - 1)];
        }
        return s;
      },
    ],
    [
      'js twin',
      (k) => {
        let s = 0;
        for (let i = 0; i < k; i++) s ^= crc32cUpdateJs(0, data, 3, 3 + n);
        return s;
      },
    ],
    [
      'native sse4.2',
      (k) => {
        let s = 0;
        for (let i = 0; i < k; i++) s ^= native.crc32cUpdate(0, data, 3, 3 + n);
        return s;
      },
    ],
    [
      'native table',
      (k) => {
        let s = 0;
        for (let i = 0; i < k; i++) s ^= native.crc32cPortableUpdate(0, data, 3, 3 + n);
        return s;
      },
    ],
    [
      'crc32c (picked)',
      (k) => {
        let s = 0;
        for (let i = 0; i < k; i++) s ^= crc32c(data, 3, 3 + n);
        return s;
      },
    ],
  ];
}

/** ns per call for one sample of about SAMPLE_NS. */
function sample(run: (iters: number) => number, iters: number): number {
  const t0 = process.hrtime.bigint();
  run(iters);
  return Number(process.hrtime.bigint() - t0) / iters;
}

function calibrate(run: (iters: number) => number): number {
  let iters = 16;
  for (;;) {
    const t0 = process.hrtime.bigint();
    run(iters);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns > SAMPLE_NS / 4) return Math.max(1, Math.round((iters * SAMPLE_NS) / ns));
    iters *= 4;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ns: number, n: number) => `${ns < 1000 ? ns.toFixed(1) : ns.toFixed(0)} ns (${(n / ns).toFixed(2)} GB/s)`;

console.log(`crc32c: ${native.crc32cImplementation()}, ${reps} repetitions, median [min..max] ns per call`);
for (const n of [64, 1024, 16 * 1024, 1024 * 1024]) {
  const vs = variants(n);
  const iters = vs.map(([, run]) => calibrate(run));
  const samples: number[][] = vs.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (const [v, [, run]] of vs.entries()) samples[v].push(sample(run, iters[v]));
  }
  const memcpy = median(samples[0]);
  console.log(`\n${n} B`);
  vs.forEach(([name], v) => {
    const m = median(samples[v]);
    const lo = Math.min(...samples[v]);
    const hi = Math.max(...samples[v]);
    console.log(
      `  ${name.padEnd(16)} ${fmt(m, n).padEnd(28)} [${lo.toFixed(1)}..${hi.toFixed(1)}]  x${(m / memcpy).toFixed(2)} memcpy`,
    );
  });
}

// The crossover: ns per call of the twin and the addon for short inputs (median of reps samples).
console.log('\ncrossover: bytes, js twin ns, native ns');
for (const n of [0, 64, 128, 160, 192, 256, 384, 512]) {
  const data = fill(Math.max(n, 1));
  const js = (k: number) => {
    let s = 0;
    for (let i = 0; i < k; i++) s ^= crc32cUpdateJs(0, data, 0, n);
    return s;
  };
  const nat = (k: number) => {
    let s = 0;
    for (let i = 0; i < k; i++) s ^= native.crc32cUpdate(0, data, 0, n);
    return s;
  };
  const [ij, iN] = [calibrate(js), calibrate(nat)];
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    a.push(sample(js, ij));
    b.push(sample(nat, iN));
  }
  console.log(`  ${String(n).padStart(4)}  ${median(a).toFixed(1).padStart(7)}  ${median(b).toFixed(1).padStart(7)}`);
}
