// Protocol micro-benchmarks: decode/encode of Produce and Fetch requests and responses at an old (non-flexible) and a
// flexible version, record batch validation and iteration, CRC32C, next to a memcpy of the same bytes measured in the
// same run (the ratio is what holds on a noisy shared machine). Prints a table and, with --json, one JSON object.
//   node benches/protocol/codec.bench.ts [--json] [--time MS]
import { Bench } from 'tinybench';
import {
  buildRecordBatch,
  COMPRESSION_LZ4,
  COMPRESSION_NONE,
  crc32c,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type FetchRequest,
  type FetchResponse,
  type ProduceRequest,
  randomUuid,
  readRecords,
  validateRecordBatch,
} from '../../packages/protocol/src/index.ts';

const json = process.argv.includes('--json');
const timeArg = process.argv.indexOf('--time');
const time = timeArg > 0 ? Number(process.argv[timeArg + 1]) : 500;

const PARTITIONS = 16;
const topicId = randomUuid();

/** One 16 KiB batch of 16 x 1 KiB records per partition: what a librdkafka producer sends with linger. */
function batchOf(records: number, size: number, compression: 0 | 3 = COMPRESSION_NONE): Buffer {
  const value = Buffer.alloc(size, 0x61);
  return buildRecordBatch({
    baseTimestamp: Date.now(),
    compression,
    records: Array.from({ length: records }, (_, i) => ({ key: Buffer.from(`key-${i}`), value })),
  });
}
const batch = batchOf(16, 1024);
const smallBatch = batchOf(100, 100);
const lz4Batch = batchOf(100, 100, COMPRESSION_LZ4);

const produceRequest: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topicData: [
    {
      name: 'bench-topic',
      partitionData: Array.from({ length: PARTITIONS }, (_, index) => ({ index, records: batch })),
    },
  ],
};

const fetchRequest = {
  clusterId: null,
  replicaId: -1,
  replicaState: { replicaId: -1, replicaEpoch: -1n },
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 52428800,
  isolationLevel: 1,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic: 'bench-topic',
      topicId,
      partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
        partition,
        currentLeaderEpoch: 0,
        fetchOffset: 123456n,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1048576,
        replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
      })),
    },
  ],
  forgottenTopicsData: [],
  rackId: '',
} as unknown as FetchRequest;

const fetchResponse = {
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: [
    {
      topic: 'bench-topic',
      topicId,
      partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({
        partitionIndex,
        errorCode: 0,
        highWatermark: 1000000n,
        lastStableOffset: 1000000n,
        logStartOffset: 0n,
        divergingEpoch: { epoch: -1, endOffset: -1n },
        currentLeader: { leaderId: -1, leaderEpoch: -1 },
        snapshotId: { endOffset: -1n, epoch: -1 },
        abortedTransactions: [],
        preferredReadReplica: -1,
        records: batch,
      })),
    },
  ],
  nodeEndpoints: [],
} as unknown as FetchResponse;

const cases: Array<{ name: string; bytes: number; fn: () => void }> = [];
for (const [api, version] of [
  [0, 3],
  [0, 9],
  [1, 4],
  [1, 12],
] as const) {
  const body = api === 0 ? produceRequest : fetchRequest;
  const apiName = api === 0 ? 'Produce' : 'Fetch';
  const frame = encodeRequest(api, version, 7, 'bench-client', body);
  const frameBody = frame.subarray(4);
  cases.push({
    name: `${apiName}Request v${version} decode (${PARTITIONS} partitions)`,
    bytes: frame.length,
    fn: () => {
      if (!decodeRequest(frameBody).ok) throw new Error('decode failed');
    },
  });
  cases.push({
    name: `${apiName}Request v${version} encode (${PARTITIONS} partitions)`,
    bytes: frame.length,
    fn: () => encodeRequest(api, version, 7, 'bench-client', body),
  });
}
for (const version of [4, 12]) {
  const frame = encodeResponse(1, version, 7, fetchResponse);
  const frameBody = frame.subarray(4);
  cases.push({
    name: `FetchResponse v${version} encode (${PARTITIONS} x 16 KiB)`,
    bytes: frame.length,
    fn: () => encodeResponse(1, version, 7, fetchResponse),
  });
  cases.push({
    name: `FetchResponse v${version} decode (${PARTITIONS} x 16 KiB)`,
    bytes: frame.length,
    fn: () => {
      if (!decodeResponse(1, version, frameBody).ok) throw new Error('decode failed');
    },
  });
}
cases.push({
  name: 'validateRecordBatch 16 x 1 KiB (CRC32C)',
  bytes: batch.length,
  fn: () => {
    if (validateRecordBatch(batch) !== null) throw new Error('invalid');
  },
});
cases.push({ name: 'readRecords 100 x 100 B', bytes: smallBatch.length, fn: () => readRecords(smallBatch) });
cases.push({ name: 'readRecords 100 x 100 B lz4', bytes: lz4Batch.length, fn: () => readRecords(lz4Batch) });
for (const size of [64, 1024, 16384, 1 << 20]) {
  const data = Buffer.alloc(size, 0x5a);
  const target = Buffer.alloc(size);
  cases.push({ name: `crc32c ${size} B`, bytes: size, fn: () => crc32c(data) });
  cases.push({ name: `memcpy ${size} B (reference)`, bytes: size, fn: () => target.set(data) });
}

const bench = new Bench({ name: 'protocol', time, warmup: true });
for (const c of cases) bench.add(c.name, c.fn);
await bench.run();

const rows = bench.tasks.map((task, i) => {
  const r = task.result as unknown as {
    latency: { p50: number; p99: number; min: number; max: number };
    throughput: { mean: number };
  };
  const c = cases[i];
  const p50us = r.latency.p50 * 1000;
  return {
    name: c.name,
    bytes: c.bytes,
    p50Us: Number(p50us.toFixed(3)),
    p99Us: Number((r.latency.p99 * 1000).toFixed(3)),
    opsPerSec: Math.round(r.throughput.mean),
    mbPerSec: Number((c.bytes / p50us).toFixed(1)),
  };
});
if (json) {
  console.log(JSON.stringify({ node: process.version, time, rows }, null, 2));
} else {
  console.log('| case | bytes | p50 µs | p99 µs | ops/s | MB/s at p50 |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.bytes} | ${r.p50Us} | ${r.p99Us} | ${r.opsPerSec} | ${r.mbPerSec} |`);
  }
}
