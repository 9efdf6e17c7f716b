// Sluice's load generator (BENCHMARKS.md): produce and consume over the Kafka protocol with @sluice/protocol, in its
// own process. Prints a progress line a second on stderr and one JSON result (LoadResult) on stdout.
//   node benches/load/load-generator.ts --bootstrap 127.0.0.1:9092 --topic t --partitions 16 \
//     --messages 200000 --message-size 1024 --acks 1 [--rate 50000 --warmup-ms 3000] [--consume tail|after|only|none]
// --acks 0/1/all. Options (defaults): --connections 1, --max-in-flight 5, --keys none|random (none), --key-count 1000,
// --compression none|gzip|snappy|lz4|zstd, --batch-bytes 16384, --linger-ms 5, --prebuilt (wire ceiling),
// --fetch-connections 1, --fetch-max-wait-ms 100, --partition-max-bytes 1048576, --create (CreateTopics first),
// --topic-config k=v (repeatable), --create-only, --fetch-ceiling-ms N (after producing: pipelined identical Fetches for N ms),
// --timeout-ms (bound on each phase, 120000).
// Latencies are from the SCHEDULED send time; messages scheduled during --warmup-ms are not recorded.
import { parseArgs } from 'node:util';
import type { CompressionType } from '@sluice/protocol';
import { ensureTopic } from './admin.ts';
import { type ConsumeStats, consume, fetchCeiling } from './consumer.ts';
import { KafkaConnection } from './kafka-connection.ts';
import { type LatencySummary, nowUs, summarize } from './latency.ts';
import { type ProduceStats, produce } from './producer.ts';

export interface LoadResult {
  options: Record<string, unknown>;
  produce: null | {
    messages: number;
    seconds: number;
    msgsPerSec: number;
    mbPerSec: number;
    requests: number;
    errors: Record<string, number>;
    delivery: LatencySummary;
  };
  consume: {
    messages: number;
    seconds: number;
    msgsPerSec: number;
    mbPerSec: number;
    errors: Record<string, number>;
    e2e: LatencySummary | null;
  } | null;
  fetchCeiling: { mbPerSec: number; fetches: number; seconds: number } | null;
  /** The load generator's own CPU (user + system), seconds. */
  clientCpuSeconds: number;
}

const { values: a } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    topic: { type: 'string', default: 'load' },
    partitions: { type: 'string', default: '16' },
    messages: { type: 'string', default: '100000' },
    'message-size': { type: 'string', default: '1024' },
    rate: { type: 'string', default: '0' },
    'warmup-ms': { type: 'string', default: '0' },
    connections: { type: 'string', default: '1' },
    'max-in-flight': { type: 'string', default: '5' },
    keys: { type: 'string', default: 'none' },
    'key-count': { type: 'string', default: '1000' },
    acks: { type: 'string', default: '1' },
    compression: { type: 'string', default: 'none' },
    'batch-bytes': { type: 'string', default: '16384' },
    'linger-ms': { type: 'string', default: '5' },
    prebuilt: { type: 'boolean', default: false },
    consume: { type: 'string', default: 'none' },
    'fetch-connections': { type: 'string', default: '1' },
    'fetch-max-wait-ms': { type: 'string', default: '100' },
    'partition-max-bytes': { type: 'string', default: '1048576' },
    create: { type: 'boolean', default: false },
    'create-only': { type: 'boolean', default: false },
    'topic-config': { type: 'string', multiple: true, default: [] },
    'fetch-ceiling-ms': { type: 'string', default: '0' },
    'timeout-ms': { type: 'string', default: '120000' },
    quiet: { type: 'boolean', default: false },
  },
});

const num = (k: keyof typeof a) => Number(a[k]);
if (a.bootstrap === undefined) {
  console.error('--bootstrap host:port is required');
  process.exit(2);
}
const bootstrap = a.bootstrap;
const compression = ['none', 'gzip', 'snappy', 'lz4', 'zstd'].indexOf(a.compression!) as CompressionType;
if (compression < 0) throw new Error(`unknown compression ${a.compression}`);
const partitions = num('partitions');
const messageSize = num('message-size');
const timeoutMs = num('timeout-ms');

async function connectMany(n: number): Promise<KafkaConnection[]> {
  return Promise.all(Array.from({ length: n }, () => KafkaConnection.connect(bootstrap)));
}

const admin = await KafkaConnection.connect(bootstrap);
if (a.create) {
  const configs = Object.fromEntries(a['topic-config']!.map((kv) => kv.split('=', 2) as [string, string]));
  await ensureTopic(admin, a.topic!, partitions, configs);
}
if (a['create-only']) {
  admin.close();
  process.exit(0);
}
const producers = await connectMany(num('connections'));
const consumers = a.consume === 'none' ? [] : await connectMany(num('fetch-connections'));
const warmupMs = num('warmup-ms');
const cpuNow = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
const mb = (bytes: number, us: number) => bytes / 1e6 / (us / 1e6);

let pStats: ProduceStats | null = null;
let cStats: ConsumeStats | null = null;
const t0 = nowUs();
const progress = (s: ProduceStats) => {
  if (a.quiet) return;
  const t = (nowUs() - t0) / 1e6;
  const p99 = s.delivery.totalCount > 0 ? (s.delivery.getValueAtPercentile(99) / 1000).toFixed(1) : '-';
  const inflight = producers.reduce((n, c) => n + c.inFlight, 0);
  process.stderr.write(
    `[load] t=${t.toFixed(0)}s sent=${s.sent} acked=${s.acked} errors=${JSON.stringify(s.errors)} in-flight=${inflight} delivery-p99=${p99}ms\n`,
  );
};

const produceOptions = {
  topic: a.topic!,
  partitions,
  connections: producers,
  maxInFlight: num('max-in-flight'),
  messageSize,
  messages: num('messages'),
  rate: num('rate'),
  keys: a.keys === 'random' ? ('random' as const) : ('none' as const),
  keyCount: num('key-count'),
  acks: a.acks === 'all' ? -1 : num('acks'),
  compression,
  batchBytes: num('batch-bytes'),
  lingerMs: num('linger-ms'),
  warmupMs,
  prebuilt: a.prebuilt!,
  timeoutMs,
};
const consumeOptions = (measureE2e: boolean, warmupEndUs: number) => ({
  topic: a.topic!,
  partitions,
  connections: consumers,
  fromOffset: 0,
  measureE2e,
  warmupEndUs,
  maxWaitMs: num('fetch-max-wait-ms'),
  partitionMaxBytes: num('partition-max-bytes'),
  target: () => (pStats === null ? null : pStats.acked),
  idleTimeoutMs: 5_000,
  timeoutMs,
});

if (a.consume === 'only') {
  // Read back what an earlier run wrote: --messages is how many to expect.
  const expected = num('messages');
  cStats = await consume({ ...consumeOptions(false, 0), target: () => expected });
} else if (a.consume === 'tail') {
  const startUs = nowUs();
  const c = consume(consumeOptions(true, startUs + warmupMs * 1000));
  pStats = await produce(produceOptions, progress);
  cStats = await c;
} else {
  pStats = await produce(produceOptions, progress);
  if (a.consume === 'after') cStats = await consume(consumeOptions(false, 0));
}

let ceiling: LoadResult['fetchCeiling'] = null;
if (num('fetch-ceiling-ms') > 0) {
  const conns = await connectMany(num('fetch-connections'));
  const r = await fetchCeiling({
    topic: a.topic!,
    partitions,
    connections: conns,
    maxInFlight: num('max-in-flight'),
    partitionMaxBytes: num('partition-max-bytes'),
    durationMs: num('fetch-ceiling-ms'),
  });
  ceiling = { mbPerSec: r.bytes / 1e6 / r.seconds, fetches: r.fetches, seconds: r.seconds };
  for (const c of conns) c.close();
}

if (pStats === null) {
  const c = cStats!;
  const us = c.endUs - c.startUs;
  const r = { consume: { messages: c.consumed, seconds: us / 1e6, msgsPerSec: c.consumed / (us / 1e6) } };
  const out = {
    ...r,
    consume: { ...r.consume, mbPerSec: mb(c.consumed * messageSize, us), errors: c.errors, e2e: null },
  };
  process.stdout.write(
    `${JSON.stringify({ options: a, produce: null, ...out, fetchCeiling: null, clientCpuSeconds: cpuNow() })}\n`,
  );
  process.exit(0);
}
// Throughput counts the measured window only: from the end of the warm-up (rate runs) or the start (flat out).
const pUs = pStats.endUs - (warmupMs > 0 ? pStats.measureStartUs : pStats.startUs);
const pCount = warmupMs > 0 ? pStats.measured : pStats.acked;
const result: LoadResult = {
  options: { ...a, bootstrap },
  produce: {
    messages: pStats.acked,
    seconds: pUs / 1e6,
    msgsPerSec: pCount / (pUs / 1e6),
    mbPerSec: mb(pCount * messageSize, pUs),
    requests: pStats.requests,
    errors: pStats.errors,
    delivery: summarize(pStats.delivery),
  },
  consume:
    cStats === null
      ? null
      : {
          messages: cStats.consumed,
          seconds: (cStats.endUs - cStats.startUs) / 1e6,
          msgsPerSec: cStats.consumed / ((cStats.endUs - cStats.startUs) / 1e6),
          mbPerSec: mb(cStats.consumed * messageSize, cStats.endUs - cStats.startUs),
          errors: cStats.errors,
          e2e: cStats.e2e.totalCount > 0 ? summarize(cStats.e2e) : null,
        },
  fetchCeiling: ceiling,
  clientCpuSeconds: cpuNow(),
};
for (const c of [admin, ...producers, ...consumers]) c.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
