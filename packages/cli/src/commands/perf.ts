// `sluice perf produce|consume`, the equivalents of kafka-producer-perf-test.sh / kafka-consumer-perf-test.sh.
// produce: --num-records N of --record-size bytes (random, generated once), --throughput records/s (-1: as fast as
// possible), --acks, --compression, --batch-size records per request, up to --max-in-flight requests at once.
// Latency of a record = its request's acknowledgement time - the time the request was sent (every record of a
// request gets the same sample; Kafka's tool measures per record from send() to the callback).
// consume: reads --num-records records (or until --timeout-ms idle) from the beginning of every partition with
// Fetch, no group; latency = each Fetch round trip.
// Both print a progress line on stderr while running and, at the end, records, msgs/s, MB/s (MiB, 1048576 bytes,
// as Kafka's tools) and latency avg/p50/p95/p99/p99.9/max in ms; --json prints the same as one JSON object.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { clientOptions } from '../client.ts';
import { CliError, ExitCode } from '../errors.ts';
import { fetchOnce } from '../fetch-loop.ts';
import { parseIntArg } from '../format.ts';
import { Latency, type LatencySummary } from '../latency.ts';
import { EARLIEST, listOffsets, partitionCount, range } from '../offsets.ts';
import { partitionerFor } from '../partitioning.ts';
import { Progress } from '../progress.ts';
import { parseAcks, parseCodec } from './produce.ts';

export interface PerfResult {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  latency: LatencySummary;
}

const MiB = 1024 * 1024;

function result(records: number, bytes: number, ms: number, latency: Latency): PerfResult {
  const seconds = ms / 1000;
  return {
    records,
    bytes,
    seconds: Math.round(seconds * 1000) / 1000,
    recordsPerSec: Math.round((records / seconds) * 10) / 10,
    mbPerSec: Math.round((bytes / MiB / seconds) * 100) / 100,
    latency: latency.summary(),
  };
}

function print(r: PerfResult, json: boolean, verb: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const l = r.latency;
  process.stdout.write(
    `${r.records} records ${verb} in ${r.seconds} s, ${r.recordsPerSec} records/sec (${r.mbPerSec} MB/sec), ` +
      `${l.avgMs} ms avg latency, ${l.p50Ms} ms p50, ${l.p95Ms} ms p95, ${l.p99Ms} ms p99, ${l.p999Ms} ms p99.9, ` +
      `${l.maxMs} ms max latency\n`,
  );
}

interface PerfProduceOpts {
  numRecords: string;
  recordSize: string;
  throughput: string;
  acks: string;
  compression: string;
  batchSize: string;
  maxInFlight: string;
  json?: boolean;
}

async function perfProduce(topic: string, opts: PerfProduceOpts, cmd: Command): Promise<void> {
  const total = parseIntArg(opts.numRecords, '--num-records', 1);
  const size = parseIntArg(opts.recordSize, '--record-size', 0);
  const throughput = Number(opts.throughput);
  // With a throughput cap, batches of at most 10 ms worth of records keep the pacing smooth.
  const batchSize = Math.min(
    parseIntArg(opts.batchSize, '--batch-size', 1),
    throughput > 0 ? Math.max(1, Math.floor(throughput / 100)) : Number.POSITIVE_INFINITY,
  );
  const maxInFlight = parseIntArg(opts.maxInFlight, '--max-in-flight', 1);
  const producer = new Producer({
    ...clientOptions(globals(cmd), 'sluice-perf-produce'),
    acks: parseAcks(opts.acks),
    compression: parseCodec(opts.compression),
    autocreateTopics: false,
  });
  const payload = randomBytes(size);
  const latency = new Latency();
  let sent = 0;
  let acked = 0;
  let windowStart = performance.now();
  let windowAcked = 0;
  const progress = new Progress(() => {
    const now = performance.now();
    const rate = ((acked - windowAcked) * 1000) / (now - windowStart);
    windowStart = now;
    windowAcked = acked;
    return `${acked} records sent, ${rate.toFixed(1)} records/sec (${((rate * size) / MiB).toFixed(2)} MB/sec)`;
  });
  const start = performance.now();
  try {
    const pick = partitionerFor(await partitionCount(producer, topic));
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    while (sent < total && failure === undefined) {
      if (throughput > 0) {
        // Pace: never ahead of throughput * elapsed.
        const dueMs = (sent / throughput) * 1000 - (performance.now() - start);
        if (dueMs > 0) await sleep(dueMs);
      }
      const n = Math.min(batchSize, total - sent);
      const partition = pick(undefined);
      const messages = Array.from({ length: n }, () => ({ topic, partition, value: payload }));
      sent += n;
      const t0 = performance.now();
      const p: Promise<void> = producer.send({ messages }).then(
        () => {
          latency.record(performance.now() - t0, n);
          acked += n;
          inFlight.delete(p);
        },
        (err: unknown) => {
          failure ??= err;
          inFlight.delete(p);
        },
      );
      inFlight.add(p);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  } finally {
    progress.stop();
    await producer.close().catch(() => {});
  }
  print(result(acked, acked * size, performance.now() - start, latency), !!opts.json, 'sent');
}

interface PerfConsumeOpts {
  numRecords: string;
  timeoutMs: string;
  json?: boolean;
}

async function perfConsume(topic: string, opts: PerfConsumeOpts, cmd: Command): Promise<void> {
  const total = parseIntArg(opts.numRecords, '--num-records', 1);
  const timeoutMs = parseIntArg(opts.timeoutMs, '--timeout-ms', 1);
  const g = globals(cmd);
  const admin = new Admin(clientOptions(g, 'sluice-perf-consume'));
  const consumer = new Consumer({ ...clientOptions(g, 'sluice-perf-consume'), groupId: `sluice-perf-${process.pid}` });
  const latency = new Latency();
  let records = 0;
  let bytes = 0;
  const progress = new Progress(() => `${records} records read (${(bytes / MiB).toFixed(2)} MB)`);
  const start = performance.now();
  let lastRecordAt = start;
  try {
    const md = await consumer.metadata({ topics: [topic] });
    const t = md.topics.get(topic);
    if (!t) throw new CliError(`topic ${topic} does not exist`, ExitCode.NOT_FOUND, 'UNKNOWN_TOPIC_OR_PARTITION');
    const partitions = range(t.partitionsCount);
    const positions = await listOffsets(admin, topic, partitions, EARLIEST);
    while (records < total && performance.now() - lastRecordAt < timeoutMs) {
      const t0 = performance.now();
      await fetchOnce(consumer, t, partitions, positions, 500, (r) => {
        records++;
        bytes += (r.record.value?.length ?? 0) + (r.record.key?.length ?? 0);
        lastRecordAt = performance.now();
        return records < total;
      });
      latency.record(performance.now() - t0);
    }
  } finally {
    progress.stop();
    await consumer.close(true).catch(() => {});
    await admin.close().catch(() => {});
  }
  print(result(records, bytes, lastRecordAt - start, latency), !!opts.json, 'read');
  if (records < total) {
    process.stderr.write(`sluice perf consume: only ${records} of ${total} records within --timeout-ms\n`);
    process.exit(ExitCode.KAFKA_ERROR);
  }
}

export function registerPerf(program: Command): void {
  const perf = program.command('perf').description('producer and consumer throughput and latency tests');
  perf
    .command('produce')
    .description('send records as fast as allowed; report msgs/s, MB/s and latency percentiles')
    .argument('<topic>')
    .option('--num-records <n>', 'records to send', '100000')
    .option('--record-size <bytes>', 'value size in bytes', '100')
    .option('--throughput <n>', 'records/s cap (-1: no cap)', '-1')
    .option('--acks <acks>', 'all (-1), 0 or 1', 'all')
    .option('-z, --compression <codec>', 'none, gzip, snappy, lz4, zstd', 'none')
    .option('--batch-size <n>', 'records per produce request', '500')
    .option('--max-in-flight <n>', 'produce requests awaiting acknowledgement at once', '5')
    .option('--json', 'print the result as one JSON object')
    .action(act(perfProduce));
  perf
    .command('consume')
    .description('read records from the beginning; report msgs/s, MB/s and fetch latency percentiles')
    .argument('<topic>')
    .option('--num-records <n>', 'records to read', '100000')
    .option('--timeout-ms <ms>', 'give up after this long without a record', '10000')
    .option('--json', 'print the result as one JSON object')
    .action(act(perfConsume));
}
