// Runs BENCHMARKS.md's broker workloads against Sluice, Apache Kafka and librdkafka's mock cluster in ONE run, the
// systems interleaved step by step (for each variant, for each repetition: sluice, kafka, mock), and writes every
// step's result as JSON (input for broker-report.ts). The peers stay up for the whole run (each step uses a fresh
// topic); broker CPU = utime+stime of the broker process around each step; peak RSS = VmHWM at the end.
//   node benches/load/broker-workloads.ts --out /tmp/w.json [--systems sluice,sluice-async,kafka,mock]
//     [--workloads limits,w3,w3-64,w1,w4,w5,kcat,wire] [--reps 2] [--w1-warmup-ms 3000] [--w1-duration-ms 15000]
//     [--w1-lingers 5,1] [--w5-warmup-ms 2000] [--w5-duration-ms 6000] [--w3-scale 1]
//     [--sluice-rev HEAD]  (the broker runs from a `git archive` copy of that commit; 'worktree' = this tree)
//     [--profile DIR]  (Sluice under --cpu-prof: main thread and shards write .cpuprofile files into DIR)
// Every child is bounded (--timeout-ms), every peer is stopped and its data deleted at the end or on error.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cpuSeconds, type Peer, peakRssMiB, peerKind, startPeer } from '../peers/peers.ts';
import { snapshotSluice } from '../peers/sluice-snapshot.ts';
import { kcatAvailable, kcatProduce } from './kcat-producer.ts';
import type { LoadResult } from './load-generator.ts';
import { measureMachineLimits } from './machine-limits.ts';
import { runGenerator } from './run-generator.ts';

const { values: a } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/sluice-broker-workloads.json' },
    systems: { type: 'string', default: 'sluice,kafka,mock' },
    workloads: { type: 'string', default: 'limits,w3,w1,w4,wire' },
    reps: { type: 'string', default: '2' },
    'w1-warmup-ms': { type: 'string', default: '3000' },
    'w1-duration-ms': { type: 'string', default: '15000' },
    'w3-scale': { type: 'string', default: '1' },
    'w1-lingers': { type: 'string', default: '5,1' },
    'w5-warmup-ms': { type: 'string', default: '2000' },
    'w5-duration-ms': { type: 'string', default: '6000' },
    profile: { type: 'string' },
    'sluice-rev': { type: 'string', default: 'HEAD' },
  },
});

export interface Step {
  system: string;
  workload: string;
  variant: string;
  rep: number;
  loadavg1: number;
  brokerCpuSeconds: number;
  wallSeconds: number;
  result: LoadResult | null;
  error?: string;
}

interface Variant {
  workload: string;
  variant: string;
  partitions: number;
  /** load-generator arguments besides --bootstrap/--topic/--partitions */
  args: string[];
  topicConfig?: Record<string, string>;
  /** systems that skip it */
  skip?: string[];
  /** a read-back step after the produce step (separate CPU figure) */
  readBack?: { messages: number; skip?: string[] };
  /** run kcat (librdkafka) instead of the load generator */
  kcat?: { messages: number; size: number; acks: string };
}

const systems = a.systems!.split(',');
const workloads = new Set(a.workloads!.split(','));
const reps = Number(a.reps);
const scale = Number(a['w3-scale']);
const w1Warmup = Number(a['w1-warmup-ms']);
const w1Duration = Number(a['w1-duration-ms']);

function plan(): Variant[] {
  // First, for every system: 100k x 1 KiB flat out, not reported (JIT warm-up of the JVM and of V8).
  const v: Variant[] = [
    {
      workload: 'warm-up',
      variant: '100k x 1KiB acks=1 (discarded)',
      partitions: 16,
      args: ['--messages', '100000', '--message-size', '1024', '--acks', '1'],
    },
  ];
  if (workloads.has('w3')) {
    for (const [size, count] of [
      [100, Math.round(1_000_000 * scale)],
      [1024, Math.round(200_000 * scale)],
    ]) {
      for (const acks of ['1', 'all']) {
        v.push({
          workload: 'W3',
          variant: `${size}B acks=${acks} p16`,
          partitions: 16,
          args: ['--messages', `${count}`, '--message-size', `${size}`, '--acks', acks, '--max-in-flight', '5'],
          // The mock keeps ~5 MiB per partition: 16 partitions cannot hold the run for a read-back.
          readBack: { messages: count, skip: ['mock'] },
        });
      }
    }
  }
  if (workloads.has('w3-64')) {
    const count = Math.round(200_000 * scale);
    v.push({
      workload: 'W3',
      variant: '1024B acks=1 p64',
      partitions: 64,
      args: ['--messages', `${count}`, '--message-size', '1024', '--acks', '1', '--max-in-flight', '5'],
      readBack: { messages: count },
    });
  }
  if (workloads.has('w1')) {
    for (const linger of a['w1-lingers']!.split(',')) {
      v.push({
        workload: 'W1',
        variant: `50k/s 1KiB acks=all linger ${linger}ms`,
        partitions: 16,
        args: w1Args(50_000, linger),
      });
    }
  }
  if (workloads.has('w4')) {
    const count = Math.round(200_000 * scale);
    v.push({
      workload: 'W4',
      variant: '1024B acks=all flush.messages=1 p16',
      partitions: 16,
      args: ['--messages', `${count}`, '--message-size', '1024', '--acks', 'all', '--max-in-flight', '5'],
      topicConfig: { 'flush.messages': '1' },
      // The mock has no disk; sluice-async acks before fdatasync by definition.
      skip: ['mock', 'sluice-async'],
    });
  }
  if (workloads.has('w5')) {
    for (const rate of [10_000, 25_000, 50_000, 100_000, 200_000]) {
      v.push({
        workload: 'W5',
        variant: `${rate / 1000}k/s 1KiB acks=all linger 5ms`,
        partitions: 16,
        args: w1Args(rate, '5', Number(a['w5-warmup-ms']), Number(a['w5-duration-ms'])),
        // Sluice with fdatasync before every ack falls behind at 50k/s already (W1); its backlog at 200k/s would
        // take minutes to drain.
        skip: ['sluice'],
      });
    }
  }
  if (workloads.has('kcat') && kcatAvailable()) {
    for (const [size, count] of [
      [100, Math.round(1_000_000 * scale)],
      [1024, Math.round(200_000 * scale)],
    ]) {
      v.push({
        workload: 'kcat',
        variant: `kcat -P ${size}B acks=1 p16 linger 5ms`,
        partitions: 16,
        args: [],
        kcat: { messages: count, size, acks: '1' },
      });
    }
  }
  if (workloads.has('wire')) {
    v.push({
      workload: 'wire',
      variant: 'prebuilt 1KiB x 16 KiB batches, 4 connections, 8 in flight',
      partitions: 16,
      args: [
        '--prebuilt',
        '--messages',
        `${Math.round(400_000 * scale)}`,
        '--message-size',
        '1024',
        '--acks',
        '1',
        '--connections',
        '4',
        '--max-in-flight',
        '8',
        '--fetch-ceiling-ms',
        '4000',
        '--fetch-connections',
        '4',
      ],
    });
  }
  return v;
}

function w1Args(rate: number, linger: string, warmupMs = w1Warmup, durationMs = w1Duration): string[] {
  const messages = Math.round((rate * (warmupMs + durationMs)) / 1000);
  return [
    '--rate',
    `${rate}`,
    '--messages',
    `${messages}`,
    '--warmup-ms',
    `${warmupMs}`,
    '--message-size',
    '1024',
    '--acks',
    'all',
    '--linger-ms',
    linger,
    '--max-in-flight',
    '5',
    '--consume',
    'tail',
    '--keys',
    'random',
    // The mock answers an empty Fetch only after the full max wait (it does not wake on new data): 10 ms for every
    // system keeps that quirk out of the tail; Sluice and Kafka wake on data either way.
    '--fetch-max-wait-ms',
    '10',
  ];
}

function topicName(v: Variant, rep: number, i: number): string {
  return `${v.workload}-${i}-r${rep}`.toLowerCase();
}

async function step(peer: Peer, v: Variant, rep: number, topic: string, args: string[], label: string): Promise<Step> {
  const base = ['--bootstrap', peer.bootstrap, '--topic', topic, '--partitions', `${v.partitions}`];
  const cpu0 = cpuSeconds(peer.pid);
  const t0 = Date.now();
  const s: Step = {
    system: peer.name,
    workload: v.workload,
    variant: label,
    rep,
    loadavg1: loadavg()[0],
    brokerCpuSeconds: 0,
    wallSeconds: 0,
    result: null,
  };
  try {
    if (v.kcat) {
      const k = await kcatProduce({ bootstrap: peer.bootstrap, topic, ...v.kcat, timeoutMs: 120_000 });
      const none = { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0, curve: [] };
      s.result = {
        options: { kcat: v.kcat },
        produce: { ...k, requests: 0, errors: {}, delivery: none },
        consume: null,
        fetchCeiling: null,
        clientCpuSeconds: Number.NaN,
      };
    } else s.result = await runGenerator([...base, ...args], 120_000);
  } catch (e) {
    s.error = (e as Error).message;
  }
  s.brokerCpuSeconds = cpuSeconds(peer.pid) - cpu0;
  s.wallSeconds = (Date.now() - t0) / 1000;
  const r = s.result;
  const rate = r?.produce ? r.produce.msgsPerSec.toFixed(0) : r?.consume ? r.consume.msgsPerSec.toFixed(0) : '-';
  const p99 = r?.produce ? `${r.produce.delivery.p99}ms` : '';
  const mbs = r?.produce
    ? ` ${r.produce.mbPerSec.toFixed(1)} MB/s`
    : r?.consume
      ? ` ${r.consume.mbPerSec.toFixed(1)} MB/s`
      : '';
  const e2e = r?.consume?.e2e ? ` e2e-p99=${r.consume.e2e.p99}ms` : '';
  console.error(
    `[${new Date().toISOString().slice(11, 19)}] ${peer.name.padEnd(6)} ${v.workload} ${label} r${rep}: ${rate} msg/s${mbs} ` +
      `delivery-p99=${p99}${e2e} cpu=${s.brokerCpuSeconds.toFixed(2)}s load=${s.loadavg1.toFixed(2)}${s.error ? ` ERROR ${s.error}` : ''}`,
  );
  return s;
}

const variants = plan();
const mockTopics: Record<string, number> = {};
variants.forEach((v, i) => {
  for (let rep = 1; rep <= reps; rep++) mockTopics[topicName(v, rep, i)] = v.partitions;
});

const run: {
  date: string;
  sluiceCommit: string;
  loadavgStart: number[];
  loadavgEnd?: number[];
  limitsStart?: unknown;
  limitsEnd?: unknown;
  peakRssMiB: Record<string, number>;
  steps: Step[];
} = { date: new Date().toISOString(), sluiceCommit: 'worktree', loadavgStart: loadavg(), peakRssMiB: {}, steps: [] };

const peers: Peer[] = [];
const snapshot = a['sluice-rev'] === 'worktree' ? null : snapshotSluice(a['sluice-rev']!);
if (snapshot) run.sluiceCommit = snapshot.commit;
try {
  if (workloads.has('limits')) run.limitsStart = await measureMachineLimits(1);
  for (const name of systems) {
    const { kind, config } = peerKind(name);
    const nodeOptions = kind === 'sluice' && a.profile ? `--cpu-prof --cpu-prof-dir=${a.profile}/${name}` : undefined;
    peers.push(
      await startPeer(kind, { topics: mockTopics, nodeOptions, sluiceRoot: snapshot?.root, config, label: name }),
    );
    console.error(`${name} up at ${peers.at(-1)!.bootstrap} pid ${peers.at(-1)!.pid}`);
  }
  for (const [i, v] of variants.entries()) {
    for (let rep = 1; rep <= (v.workload === 'warm-up' ? 1 : reps); rep++) {
      // A B A B: alternate which system goes first from one repetition to the next.
      const order = rep % 2 === 1 ? peers : [...peers].reverse();
      for (const peer of order) {
        if (v.skip?.includes(peer.name)) continue;
        const topic = topicName(v, rep, i);
        if (peer.createsTopics) {
          const cfg = Object.entries(v.topicConfig ?? {}).flatMap(([k, val]) => ['--topic-config', `${k}=${val}`]);
          await runGenerator(
            [
              '--bootstrap',
              peer.bootstrap,
              '--topic',
              topic,
              '--partitions',
              `${v.partitions}`,
              '--create',
              '--create-only',
              ...cfg,
            ],
            60_000,
          );
        }
        run.steps.push(await step(peer, v, rep, topic, v.args, v.variant));
        if (v.readBack && !v.readBack.skip?.includes(peer.name)) {
          const rb = [
            '--consume',
            'only',
            '--messages',
            `${v.readBack.messages}`,
            '--message-size',
            v.args[v.args.indexOf('--message-size') + 1],
          ];
          run.steps.push(await step(peer, v, rep, topic, rb, `${v.variant} read-back`));
        }
      }
    }
  }
  for (const p of peers) run.peakRssMiB[p.name] = peakRssMiB(p.pid);
} finally {
  for (const p of peers) await p.stop().catch(() => {});
  snapshot?.remove();
}
if (workloads.has('limits')) run.limitsEnd = await measureMachineLimits(1);
run.loadavgEnd = loadavg();
writeFileSync(a.out!, `${JSON.stringify(run, null, 1)}\n`);
console.error(`wrote ${a.out}`);
