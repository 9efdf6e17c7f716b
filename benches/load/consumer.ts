// The load generator's consumer: Fetch v11 over its connections (partition p on connection p % connections), one
// fetch in flight per connection as Kafka consumers do, from fromOffset. Batches are walked by their headers; a
// partial trailing batch is dropped and fetched again. With measureE2e, every record is decoded (readRecords) and
// its value's first 8 bytes (the scheduled send time, producer.ts) give the end-to-end latency.
// Stops when target() (messages to consume; null = not known yet) is reached or after idleTimeoutMs without a new
// record once the target is known, or at timeoutMs.
// fetchCeiling: the same pre-encoded Fetch (every partition from fromOffset) is sent again and again, maxInFlight
// deep, for durationMs; only response bytes are counted (the broker's fetch serving rate, no client record work).
import {
  BATCH_LENGTH_OFFSET,
  decodeResponse,
  encodeRequest,
  type FetchResponse,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  readRecords,
} from '@sluice/protocol';
import type { KafkaConnection } from './kafka-connection.ts';
import { type Histogram, newHistogram, nowUs, record } from './latency.ts';

export const FETCH_VERSION = 11;

export interface ConsumeOptions {
  topic: string;
  partitions: number;
  connections: KafkaConnection[];
  fromOffset: number;
  measureE2e: boolean;
  warmupEndUs: number;
  maxWaitMs: number;
  partitionMaxBytes: number;
  target: () => number | null;
  idleTimeoutMs: number;
  timeoutMs: number;
}

export interface ConsumeStats {
  consumed: number;
  bytes: number;
  fetches: number;
  errors: Record<string, number>;
  startUs: number;
  endUs: number;
  e2e: Histogram;
}

function fetchBody(
  topic: string,
  parts: { partition: number; offset: number }[],
  o: { maxWaitMs: number; partitionMaxBytes: number },
) {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: o.maxWaitMs,
    minBytes: 1,
    maxBytes: 64 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: parts.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: BigInt(p.offset),
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: o.partitionMaxBytes,
          replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

export async function consume(o: ConsumeOptions): Promise<ConsumeStats> {
  const stats: ConsumeStats = {
    consumed: 0,
    bytes: 0,
    fetches: 0,
    errors: {},
    startUs: nowUs(),
    endUs: 0,
    e2e: newHistogram(),
  };
  const offsets = new Array<number>(o.partitions).fill(o.fromOffset);
  const deadline = Date.now() + o.timeoutMs;
  let lastProgress = Date.now();
  let stop = false;
  const reached = () => {
    const t = o.target();
    if (t !== null && stats.consumed >= t) return true;
    if (t !== null && Date.now() - lastProgress > o.idleTimeoutMs) return true;
    return Date.now() > deadline;
  };

  const loop = async (c: number) => {
    const conn = o.connections[c];
    const mine: number[] = [];
    for (let p = c; p < o.partitions; p += o.connections.length) mine.push(p);
    while (!stop && !reached()) {
      const parts = mine.map((p) => ({ partition: p, offset: offsets[p] }));
      const id = conn.allocateCorrelationId();
      const frame = await conn.send(
        id,
        encodeRequest(1, FETCH_VERSION, id, 'sluice-load', fetchBody(o.topic, parts, o)),
      );
      const now = nowUs();
      stats.fetches++;
      const d = decodeResponse(1, FETCH_VERSION, frame);
      if (!d.ok) throw new Error(`undecodable FetchResponse: ${d.error.message}`);
      for (const t of (d.value.body as FetchResponse).responses) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) {
            stats.errors[p.errorCode] = (stats.errors[p.errorCode] ?? 0) + 1;
            continue;
          }
          const buf = p.records;
          if (buf === null || buf.length === 0) continue;
          const from = offsets[p.partitionIndex];
          let pos = 0;
          let next = from;
          while (pos + LOG_OVERHEAD <= buf.length) {
            const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
            if (pos + size > buf.length || size < 61) break;
            const base = Number(buf.readBigInt64BE(pos));
            const last = base + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
            if (last >= from) {
              if (o.measureE2e) {
                for (const r of readRecords(buf.subarray(pos, pos + size))) {
                  if (r.offset < from) continue;
                  stats.consumed++;
                  if (r.value !== null && r.value.length >= 8) {
                    const sched = r.value.readDoubleLE(0);
                    if (sched >= o.warmupEndUs) record(stats.e2e, now - sched);
                  }
                }
              } else {
                const count = buf.readInt32BE(pos + RECORDS_COUNT_OFFSET);
                stats.consumed += base >= from ? count : Math.max(0, last - from + 1);
              }
              stats.bytes += size;
              next = last + 1;
            }
            pos += size;
          }
          if (next > from) {
            offsets[p.partitionIndex] = next;
            lastProgress = Date.now();
          }
        }
      }
    }
  };
  try {
    await Promise.all(o.connections.map((_, c) => loop(c)));
  } finally {
    stop = true;
  }
  stats.endUs = nowUs();
  return stats;
}

/** Fetch wire ceiling: the same Fetch, pipelined maxInFlight deep on every connection, for durationMs. */
export async function fetchCeiling(o: {
  topic: string;
  partitions: number;
  connections: KafkaConnection[];
  maxInFlight: number;
  partitionMaxBytes: number;
  durationMs: number;
}): Promise<{ bytes: number; fetches: number; seconds: number }> {
  const start = nowUs();
  const end = Date.now() + o.durationMs;
  let bytes = 0;
  let fetches = 0;
  await Promise.all(
    o.connections.map(
      (conn, c) =>
        new Promise<void>((resolve, reject) => {
          const parts: { partition: number; offset: number }[] = [];
          for (let p = c; p < o.partitions; p += o.connections.length) parts.push({ partition: p, offset: 0 });
          const body = fetchBody(o.topic, parts, { maxWaitMs: 0, partitionMaxBytes: o.partitionMaxBytes });
          const rest = encodeRequest(1, FETCH_VERSION, 0, 'sluice-load', body).subarray(12);
          let open = 0;
          const fill = () => {
            if (Date.now() >= end) {
              if (open === 0) resolve();
              return;
            }
            while (conn.inFlight < o.maxInFlight) {
              open++;
              conn.sendParts(1, FETCH_VERSION, rest).then((frame) => {
                open--;
                bytes += frame.length + 4;
                fetches++;
                fill();
              }, reject);
            }
          };
          fill();
        }),
    ),
  );
  return { bytes, fetches, seconds: (nowUs() - start) / 1e6 };
}
