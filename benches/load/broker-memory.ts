// Peak memory of the Sluice broker through BENCHMARKS.md's W1-W4 with many partitions and idle connections
// (the RSS target: < 512 MiB with 64 partitions and 100 idle connections). For each tree (a git rev, 'worktree', or
// a directory holding a Sluice tree) and each system (sluice, sluice-async), in that order, interleaved: start the
// broker with memory-probe.cjs preloaded (plus any Node flags given after '#': `after=worktree#--max-semi-space-size=16`), open the idle connections (each sends one ApiVersions, then stays quiet),
// run the steps on fresh topics, print VmHWM/VmRSS after every step, then the per-thread V8 maxima the probe saw.
//   node benches/load/broker-memory.ts [--trees before=HEAD,after=worktree] [--systems sluice,sluice-async]
//     [--partitions 64] [--idle-connections 100] [--scale 1] [--w1-duration-ms 10000] [--steps w3,w1,w2,w4]
//     [--out /tmp/broker-memory.json] [--profile DIR]  (--cpu-prof: one .cpuprofile per thread in DIR/<tree>-<system>)
// Every broker is stopped and its data deleted at the end or on error.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, type Peer, peakRssMiB, peerKind, startPeer } from '../peers/peers.ts';
import { snapshotSluice } from '../peers/sluice-snapshot.ts';
import { KafkaConnection } from './kafka-connection.ts';
import { runGenerator } from './run-generator.ts';

const { values: a } = parseArgs({
  options: {
    trees: { type: 'string', default: 'worktree=worktree' },
    systems: { type: 'string', default: 'sluice,sluice-async' },
    partitions: { type: 'string', default: '64' },
    'idle-connections': { type: 'string', default: '100' },
    scale: { type: 'string', default: '1' },
    'w1-duration-ms': { type: 'string', default: '10000' },
    steps: { type: 'string', default: 'w3,w1,w2,w4' },
    out: { type: 'string', default: '/tmp/broker-memory.json' },
    profile: { type: 'string' },
  },
});

const PROBE = new URL('./memory-probe.cjs', import.meta.url).pathname;
const partitions = Number(a.partitions);
const idle = Number(a['idle-connections']);
const scale = Number(a.scale);
const steps = new Set(a.steps!.split(','));

interface StepPlan {
  name: string;
  args: string[];
  topicConfig?: string[];
  readBack?: number;
  skip?: string;
}

function plan(): StepPlan[] {
  const n = Math.round(200_000 * scale);
  const base = ['--message-size', '1024', '--max-in-flight', '5'];
  const p: StepPlan[] = [];
  if (steps.has('w3')) {
    p.push({ name: 'W3 1KiB acks=1', args: ['--messages', `${n}`, '--acks', '1', ...base], readBack: n });
    p.push({ name: 'W3 1KiB acks=all', args: ['--messages', `${n}`, '--acks', 'all', ...base], readBack: n });
    const small = Math.round(1_000_000 * scale);
    p.push({
      name: 'W3 100B acks=1',
      args: ['--messages', `${small}`, '--acks', '1', '--message-size', '100', '--max-in-flight', '5'],
    });
  }
  if (steps.has('w1')) {
    const ms = Number(a['w1-duration-ms']);
    p.push({
      name: 'W1 50k/s acks=all tail',
      args: [
        ...['--rate', '50000', '--messages', `${Math.round((50_000 * (2000 + ms)) / 1000)}`, '--warmup-ms', '2000'],
        ...['--acks', 'all', '--linger-ms', '5', '--consume', 'tail', '--keys', 'random', '--fetch-max-wait-ms', '10'],
        ...base,
      ],
    });
  }
  if (steps.has('w2')) {
    const ms = Number(a['w1-duration-ms']);
    p.push({
      name: 'W2 50k/s 100B acks=all tail',
      args: [
        ...['--rate', '50000', '--messages', `${Math.round((50_000 * (2000 + ms)) / 1000)}`, '--warmup-ms', '2000'],
        ...['--acks', 'all', '--linger-ms', '5', '--consume', 'tail', '--keys', 'random', '--fetch-max-wait-ms', '10'],
        ...['--message-size', '100', '--max-in-flight', '5'],
      ],
    });
  }
  if (steps.has('w4')) {
    p.push({
      name: 'W4 acks=all flush.messages=1',
      args: ['--messages', `${n}`, '--acks', 'all', ...base],
      topicConfig: ['--topic-config', 'flush.messages=1'],
      skip: 'sluice-async',
    });
  }
  return p;
}

function vm(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

async function openIdle(bootstrap: string, count: number): Promise<KafkaConnection[]> {
  const conns: KafkaConnection[] = [];
  for (let i = 0; i < count; i++) {
    const c = await KafkaConnection.connect(bootstrap);
    await c.request(18, 0, {}); // ApiVersions v0: a real client's first request
    conns.push(c);
  }
  return conns;
}

interface Row {
  tree: string;
  system: string;
  step: string;
  loadavg1: number;
  cpuSeconds: number;
  msgsPerSec: number;
  /** Produce delivery p99 and end-to-end p99 (tail consumer), ms; 0 when the step has none. */
  deliveryP99Ms: number;
  e2eP99Ms: number;
  hwmMiB: number;
  rssMiB: number;
  error?: string;
}

const trees = a.trees!.split(',').map((t) => {
  const [spec, ...flags] = t.split('#');
  const [label, rev] = spec.includes('=') ? spec.split('=') : [spec, spec];
  const nodeOptions = [`--require ${PROBE}`, ...flags].join(' ');
  if (rev === 'worktree') return { label, nodeOptions, root: undefined as string | undefined, remove: () => {} };
  if (existsSync(rev)) return { label, nodeOptions, root: rev, remove: () => {} };
  const s = snapshotSluice(rev);
  return { label: `${label}(${s.commit})`, nodeOptions, root: s.root, remove: s.remove };
});
const rows: Row[] = [];
const threads: Record<string, unknown[]> = {};
const probeDir = mkdtempSync(join(tmpdir(), 'sluice-memory-probe-'));
process.env.SLUICE_MEMORY_PROBE_DIR = probeDir;
let topicSeq = 0;
try {
  for (const system of a.systems!.split(',')) {
    for (const tree of trees) {
      const { kind, config } = peerKind(system);
      const prof = a.profile ? ` --cpu-prof --cpu-prof-dir=${a.profile}/${tree.label}-${system}` : '';
      const nodeOptions = tree.nodeOptions + prof;
      const peer: Peer = await startPeer(kind, { config, sluiceRoot: tree.root, nodeOptions });
      const label = `${tree.label} ${system}`;
      try {
        const conns = await openIdle(peer.bootstrap, idle);
        const start = vm(peer.pid);
        console.error(`${label}: up, ${idle} idle connections, VmRSS ${start.rss.toFixed(0)} MiB`);
        for (const s of plan()) {
          if (s.skip === system) continue;
          const topic = `mem-${topicSeq++}`;
          const boot = ['--bootstrap', peer.bootstrap, '--topic', topic, '--partitions', `${partitions}`];
          const row: Row = {
            tree: tree.label,
            system,
            step: s.name,
            loadavg1: loadavg()[0],
            cpuSeconds: 0,
            msgsPerSec: 0,
            deliveryP99Ms: 0,
            e2eP99Ms: 0,
            hwmMiB: 0,
            rssMiB: 0,
          };
          const cpu0 = cpuSeconds(peer.pid);
          try {
            await runGenerator([...boot, '--create', '--create-only', ...(s.topicConfig ?? [])], 60_000);
            const r = await runGenerator([...boot, ...s.args], 120_000);
            row.msgsPerSec = r.produce?.msgsPerSec ?? 0;
            row.deliveryP99Ms = r.produce?.delivery.p99 ?? 0;
            row.e2eP99Ms = r.consume?.e2e?.p99 ?? 0;
            if (s.readBack) {
              await runGenerator(
                [...boot, '--consume', 'only', '--messages', `${s.readBack}`, '--message-size', '1024'],
                120_000,
              );
            }
          } catch (e) {
            row.error = (e as Error).message.slice(0, 300);
          }
          row.cpuSeconds = cpuSeconds(peer.pid) - cpu0;
          const m = vm(peer.pid);
          row.hwmMiB = m.hwm;
          row.rssMiB = m.rss;
          rows.push(row);
          console.error(
            `${label} ${s.name}${s.readBack ? ' + read-back' : ''}: ${row.msgsPerSec.toFixed(0)} msg/s ` +
              `p99=${row.deliveryP99Ms}ms e2e-p99=${row.e2eP99Ms}ms ` +
              `cpu=${row.cpuSeconds.toFixed(1)}s VmHWM=${m.hwm.toFixed(0)} MiB VmRSS=${m.rss.toFixed(0)} MiB ` +
              `load=${row.loadavg1.toFixed(2)}${row.error ? ` ERROR ${row.error}` : ''}`,
          );
        }
        for (const c of conns) c.close();
        await new Promise((r) => setTimeout(r, 1200)); // one more probe write
        threads[label] = readdirSync(probeDir)
          .filter((f) => f.startsWith(`${peer.pid}-`))
          .map((f) => JSON.parse(readFileSync(join(probeDir, f), 'utf8')));
        console.error(`${label}: peak ${peakRssMiB(peer.pid).toFixed(0)} MiB; per thread (max):`);
        for (const t of threads[label] as Record<string, number | string>[]) {
          const fmt = Object.entries(t)
            .filter(([k]) => k !== 'thread' && k !== 'samples')
            .map(([k, v]) => `${k.replace('MiB', '')}=${(v as number).toFixed(1)}`)
            .join(' ');
          console.error(`  ${t.thread}: ${fmt}`);
        }
      } finally {
        await peer.stop().catch(() => {});
      }
    }
  }
} finally {
  for (const t of trees) t.remove();
  rmSync(probeDir, { recursive: true, force: true });
}
writeFileSync(a.out!, `${JSON.stringify({ date: new Date().toISOString(), rows, threads }, null, 1)}\n`);
console.error(`wrote ${a.out}`);
