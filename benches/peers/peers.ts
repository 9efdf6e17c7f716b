// The systems a broker benchmark compares, each started fresh and stopped by the caller (stop() is bounded and
// deletes the peer's data):
// - 'sluice': `node packages/cli/bin/sluice.ts broker` on a free port, temp data dir (the tests' broker-process.ts);
// - 'kafka': Apache Kafka 4.x KRaft single node (@sluice/testkit startKafka, -Xmx512m), optional extra config
//   (e.g. flush.messages=1 for W4);
// - 'mock': librdkafka's mock cluster (mock-cluster.c, built on demand), topics created at start.
// pid is the process whose /proc/<pid>/stat (utime+stime, all threads) and /proc/<pid>/status (VmHWM) measure it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startKafka } from '../../packages/testkit/src/index.ts';
import { buildMockCluster } from './build-mock-cluster.ts';

export type PeerName = 'sluice' | 'kafka' | 'mock';

export interface Peer {
  /** The system's label in results: its PeerName, or e.g. 'sluice-async' for a configured variant. */
  name: string;
  kind: PeerName;
  bootstrap: string;
  pid: number;
  /** Topics must be created by the load generator (CreateTopics) — false for the mock, which takes them at start. */
  createsTopics: boolean;
  stop(): Promise<void>;
}

export interface PeerOptions {
  /** Broker settings (--set for Sluice, server.properties for Kafka). */
  config?: Record<string, string>;
  /** Mock only: topics to create, name -> partitions. */
  topics?: Record<string, number>;
  /** Extra Node options for the Sluice broker process (e.g. --cpu-prof). */
  nodeOptions?: string;
  /** The Sluice tree to run (a snapshot from sluice-snapshot.ts); default: this work tree. */
  sluiceRoot?: string;
  /** Label for results (default: the kind). */
  label?: string;
}

/**
 * Systems by label: a PeerName, or 'sluice-async' = Sluice with sluice.ack.before.fsync=true (acks=1/all answered
 * before fdatasync, the durability Kafka has with its default flush settings).
 */
export function peerKind(label: string): { kind: PeerName; config: Record<string, string> } {
  if (label === 'sluice-async') return { kind: 'sluice', config: { 'sluice.ack.before.fsync': 'true' } };
  if (label === 'sluice' || label === 'kafka' || label === 'mock') return { kind: label, config: {} };
  throw new Error(`unknown system ${label}`);
}

type StartBroker = typeof import('../../packages/broker/test/support/broker-process.ts').startBroker;

export async function startPeer(name: PeerName, o: PeerOptions = {}): Promise<Peer> {
  if (name === 'sluice') {
    const prev = process.env.NODE_OPTIONS;
    if (o.nodeOptions) process.env.NODE_OPTIONS = `${prev ?? ''} ${o.nodeOptions}`;
    const root = o.sluiceRoot ?? new URL('../../', import.meta.url).pathname;
    const mod = (await import(`${root}/packages/broker/test/support/broker-process.ts`)) as {
      startBroker: StartBroker;
    };
    const b = await mod.startBroker({ set: o.config, timeoutMs: 30_000 });
    if (o.nodeOptions) {
      if (prev === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = prev;
    }
    return {
      name: o.label ?? name,
      kind: name,
      bootstrap: b.bootstrap,
      pid: b.child.pid!,
      createsTopics: true,
      stop: () => b.dispose(),
    };
  }
  if (name === 'kafka') {
    const k = await startKafka({ config: o.config });
    const pid = findPid(k.dataDir);
    return {
      name: o.label ?? name,
      kind: name,
      bootstrap: k.bootstrap,
      pid,
      createsTopics: true,
      stop: () => k.stop(),
    };
  }
  const built = buildMockCluster();
  if ('error' in built) throw new Error(built.error);
  const args = Object.entries(o.topics ?? {}).map(([t, n]) => `${t}:${n}`);
  const child = spawn(built.path, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mock cluster did not start in 10 s')), 10_000);
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /bootstrap (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].split(',')[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`mock cluster exited (${code})`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name: o.label ?? name,
    kind: name,
    bootstrap,
    pid: child.pid!,
    createsTopics: false,
    async stop() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The JVM whose command line names the data directory startKafka made. */
function findPid(dataDir: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(dataDir) && cmd.includes('kafka.Kafka')) return Number(d);
    } catch {}
  }
  throw new Error(`no Kafka process found for ${dataDir}`);
}

const TICKS = 100; // USER_HZ: clock ticks per second in /proc/<pid>/stat on Linux

/** utime + stime of the whole process (all threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Peak resident set (VmHWM) in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
