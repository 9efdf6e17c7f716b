// `npm run bench:check`: a short broker regression check (~30-60 s) for CI. Absolute throughput drifts 20-40% on
// shared machines (BENCHMARKS.md), so it compares RATIOS measured in the same run with benches/check/baseline.json:
// - W3 short: 100k x 1 KiB, acks=1, 16 partitions, flat out. Sluice as configured by default (acks after fdatasync)
//   against the disk's fdatasync-every-16-MiB limit; Sluice with sluice.ack.before.fsync=true (CPU-bound) against
//   the mock and the loopback limit, and its broker CPU per MB against the mock's;
// - W1 short: 20k msg/s x 1 KiB, acks=all, 16 partitions, 1 s warm-up + 4 s; e2e p99 Sluice (ack before fsync) / mock.
// The systems run interleaved (A B C, C B A). A ratio beyond the baseline's tolerance is flagged in the table
// but does NOT fail the run (noise alone must not fail CI); the exit status is 1 only for a broken run: an error,
// a produce error code, or zero throughput. --strict also fails on a flagged ratio; --write-baseline rewrites the
// baseline from this run. Without librdkafka-dev (no mock) the mock ratios are skipped, not failed.
// Runs the work tree's broker (--sluice-rev REV: a `git archive` copy of that commit); every process is stopped and every temp directory deleted at the end.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { LoadResult } from '../load/load-generator.ts';
import { measureMachineLimits } from '../load/machine-limits.ts';
import { runGenerator } from '../load/run-generator.ts';
import { cpuSeconds, type Peer, peerKind, startPeer } from '../peers/peers.ts';
import { snapshotSluice } from '../peers/sluice-snapshot.ts';

const BASELINE = new URL('./baseline.json', import.meta.url).pathname;

interface Baseline {
  note: string;
  /** name -> { value, tolerance }: flagged when value/baseline is outside [1/tolerance, tolerance] */
  ratios: Record<string, { value: number; tolerance: number; higherIsBetter: boolean }>;
}

const { values: a } = parseArgs({
  options: {
    strict: { type: 'boolean', default: false },
    'write-baseline': { type: 'boolean', default: false },
    'sluice-rev': { type: 'string', default: 'worktree' },
  },
});

const TOPIC_W3 = 'check-w3';
const TOPIC_W1 = 'check-w1';
const W3 = ['--messages', '100000', '--message-size', '1024', '--acks', '1', '--partitions', '16'];
const W1 = [
  ...['--rate', '20000', '--messages', '100000', '--warmup-ms', '1000', '--message-size', '1024', '--acks', 'all'],
  ...['--partitions', '16', '--consume', 'tail', '--fetch-max-wait-ms', '10', '--keys', 'random'],
];

const broken: string[] = [];
const peers: Peer[] = [];
const results: Record<string, { w3: LoadResult[]; w3cpu: number[]; w1: LoadResult[] }> = {};

async function run(peer: Peer, topic: string, args: string[], rep: number): Promise<LoadResult | null> {
  const t = `${topic}-${rep}`;
  try {
    if (peer.createsTopics) {
      await runGenerator(
        ['--bootstrap', peer.bootstrap, '--topic', t, '--partitions', '16', '--create', '--create-only'],
        30_000,
      );
    }
    const r = await runGenerator(['--bootstrap', peer.bootstrap, '--topic', t, ...args], 30_000);
    const errors = Object.keys(r.produce?.errors ?? {}).length + Object.keys(r.consume?.errors ?? {}).length;
    if (errors > 0)
      broken.push(
        `${peer.name} ${topic}: error codes ${JSON.stringify(r.produce?.errors)} ${JSON.stringify(r.consume?.errors)}`,
      );
    if (!r.produce || r.produce.msgsPerSec <= 0) broken.push(`${peer.name} ${topic}: zero throughput`);
    return r;
  } catch (e) {
    broken.push(`${peer.name} ${topic}: ${(e as Error).message.slice(0, 300)}`);
    return null;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const t0 = Date.now();
const load0 = loadavg()[0];
const limits = await measureMachineLimits(0.25);
const snapshot = a['sluice-rev'] === 'worktree' ? null : snapshotSluice(a['sluice-rev']!);
try {
  // 'sluice': the default (acks answered after fdatasync): its W3 is bound by the disk, compared with the disk's limit.
  // 'sluice-async': sluice.ack.before.fsync=true, Kafka's durability: bound by CPU, compared with the mock.
  for (const label of ['sluice', 'sluice-async']) {
    const { kind, config } = peerKind(label);
    peers.push(await startPeer(kind, { sluiceRoot: snapshot?.root, config, label }));
  }
  try {
    peers.push(
      await startPeer('mock', { topics: { [`${TOPIC_W3}-1`]: 16, [`${TOPIC_W3}-2`]: 16, [`${TOPIC_W1}-1`]: 16 } }),
    );
  } catch (e) {
    console.log(`mock cluster unavailable (${(e as Error).message}): mock ratios skipped`);
  }
  for (const p of peers) results[p.name] = { w3: [], w3cpu: [], w1: [] };
  for (const rep of [1, 2]) {
    for (const p of rep === 1 ? peers : [...peers].reverse()) {
      const cpu0 = cpuSeconds(p.pid);
      const r = await run(p, TOPIC_W3, W3, rep);
      const cpu = cpuSeconds(p.pid) - cpu0;
      if (r?.produce) {
        results[p.name].w3.push(r);
        results[p.name].w3cpu.push((cpu * 1e3) / ((r.produce.messages * 1024) / 1e6));
      }
    }
  }
  for (const p of peers) {
    if (p.name === 'sluice') continue;
    const r = await run(p, TOPIC_W1, W1, 1);
    if (r) {
      results[p.name].w1.push(r);
      if (!r.consume?.e2e) broken.push(`${p.name} W1: nothing consumed`);
    }
  }
} finally {
  for (const p of peers) await p.stop().catch(() => {});
  snapshot?.remove();
}

const s = results.sluice;
const sa = results['sluice-async'];
const m = results.mock;
const w3mb = (rs: LoadResult[]) => median(rs.map((r) => r.produce!.mbPerSec));
const p99 = (rs: LoadResult[]) => median(rs.map((r) => r.consume?.e2e?.p99 ?? Number.NaN));
const measured: Record<string, number> = {
  'W3 Sluice MB/s / fdatasync-16MiB MB/s': w3mb(s.w3) / limits.fdatasyncEvery16MiBMBps,
  'W3 Sluice(ack before fsync) MB/s / loopback MB/s': w3mb(sa.w3) / limits.loopbackMBps,
};
if (m) {
  measured['W3 Sluice(ack before fsync) MB/s / mock MB/s'] = w3mb(sa.w3) / w3mb(m.w3);
  measured['W3 Sluice(ack before fsync) CPU per MB / mock CPU per MB'] = median(sa.w3cpu) / median(m.w3cpu);
  measured['W1 Sluice(ack before fsync) e2e p99 / mock e2e p99'] = p99(sa.w1) / p99(m.w1);
}

const baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline;
let flagged = 0;
console.log(
  `\nbench:check — load average ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
console.log(
  `Sluice W3 ${w3mb(s.w3).toFixed(1)} MB/s (fdatasync-16MiB ${limits.fdatasyncEvery16MiBMBps.toFixed(0)} MB/s)`,
);
console.log(
  `Sluice(ack before fsync) W3 ${w3mb(sa.w3).toFixed(1)} MB/s, W1 e2e p99 ${p99(sa.w1).toFixed(1)} ms; loopback ${limits.loopbackMBps.toFixed(0)} MB/s`,
);
if (m) console.log(`mock   W3 ${w3mb(m.w3).toFixed(1)} MB/s, W1 e2e p99 ${p99(m.w1).toFixed(1)} ms`);
console.log('\n| ratio | this run | baseline | run / baseline | status |\n|---|---:|---:|---:|---|');
for (const [name, value] of Object.entries(measured)) {
  const b = baseline.ratios[name];
  const rel = b ? value / b.value : Number.NaN;
  const worse = b ? (b.higherIsBetter ? rel < 1 / b.tolerance : rel > b.tolerance) : false;
  if (worse) flagged++;
  const status = !b
    ? 'no baseline'
    : !Number.isFinite(value)
      ? 'not measured'
      : worse
        ? `FLAGGED (beyond ${b.tolerance}x)`
        : 'ok';
  console.log(
    `| ${name} | ${value.toFixed(3)} | ${b ? b.value.toFixed(3) : '-'} | ${Number.isFinite(rel) ? rel.toFixed(2) : '-'} | ${status} |`,
  );
}
for (const b of broken) console.log(`BROKEN: ${b}`);

if (a['write-baseline']) {
  const higher = (n: string) => !n.includes('p99') && !n.includes('CPU');
  const ratios = Object.fromEntries(
    Object.entries(measured)
      .filter(([, v]) => Number.isFinite(v))
      .map(([n, v]) => [n, { value: Number(v.toPrecision(3)), tolerance: 3, higherIsBetter: higher(n) }]),
  );
  const note = `written by bench:check --write-baseline on ${new Date().toISOString().slice(0, 10)}, load average ${load0.toFixed(2)}`;
  writeFileSync(BASELINE, `${JSON.stringify({ note, ratios }, null, 2)}\n`);
  console.log(`baseline written: ${BASELINE}`);
}
process.exit(broken.length > 0 || (a.strict && flagged > 0) ? 1 : 0);
