// The load generator's producer: messages of messageSize bytes whose first 8 bytes are the SCHEDULED send time
// (float64 LE, monotonic microseconds, latency.ts), so latency includes any time a message waited because the
// client or broker fell behind (no coordinated omission).
// - rate > 0: message i is scheduled at start + i/rate; a 1 ms tick creates every message due by now. rate 0: flat
//   out, messages are created when a connection has room for another request (scheduled = created).
// - Partitioning: keys 'none' -> round-robin per message; 'random' -> a random key of keyCount, partition = hash.
//   Flat out always fills the connection's partitions round-robin (keys are still written when 'random').
// - A partition's batch closes at batchBytes or when its oldest message is lingerMs old; a request carries at most
//   one batch per partition; partition p goes over connection p % connections; at most maxInFlight requests per
//   connection are unanswered; batches wait (their latency grows) while a connection is full.
// - prebuilt: one batch per partition is built once and one request per connection encoded once; the same bytes
//   are sent again and again (the wire ceiling: no client-side record work).
// Delivery latency = ack arrival - scheduled time, per message, for messages scheduled after the warm-up.
import {
  buildRecordBatch,
  type CompressionType,
  decodeResponse,
  encodeRequest,
  type ProduceResponse,
} from '@sluice/protocol';
import type { KafkaConnection } from './kafka-connection.ts';
import { type Histogram, newHistogram, nowUs, record } from './latency.ts';

export const PRODUCE_VERSION = 7;

export interface ProduceOptions {
  topic: string;
  partitions: number;
  connections: KafkaConnection[];
  maxInFlight: number;
  messageSize: number;
  /** Messages to send in all. */
  messages: number;
  /** Messages per second; 0 = flat out. */
  rate: number;
  keys: 'none' | 'random';
  keyCount: number;
  acks: number;
  compression: CompressionType;
  batchBytes: number;
  lingerMs: number;
  warmupMs: number;
  prebuilt: boolean;
  /** Hard bound on the whole produce phase. */
  timeoutMs: number;
}

export interface ProduceStats {
  sent: number;
  acked: number;
  /** Messages acked whose scheduled time was after the warm-up. */
  measured: number;
  /** Payload bytes (messageSize x acked). */
  ackedBytes: number;
  errors: Record<string, number>;
  requests: number;
  startUs: number;
  endUs: number;
  /** Scheduled time of the first measured message. */
  measureStartUs: number;
  delivery: Histogram;
}

interface Batch {
  partition: number;
  sched: number[];
  keys: (Buffer | null)[];
}

const FILLER = Buffer.alloc(64 * 1024);
for (let i = 0; i < FILLER.length; i++) FILLER[i] = (i * 2654435761) >>> 24; // not compressible to nothing

function partitionOfKey(key: Buffer, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i], 0x01000193);
  return (h >>> 0) % partitions;
}

function encodeBatch(o: ProduceOptions, b: Batch): Buffer {
  const n = b.sched.length;
  const arena = Buffer.allocUnsafe(n * o.messageSize);
  const records = new Array(n);
  const ts = Date.now();
  for (let i = 0; i < n; i++) {
    const at = i * o.messageSize;
    const fill = (i * 97) % (FILLER.length - o.messageSize);
    FILLER.copy(arena, at, fill, fill + o.messageSize);
    if (o.messageSize >= 8) arena.writeDoubleLE(b.sched[i], at);
    records[i] = { key: b.keys[i], value: arena.subarray(at, at + o.messageSize), timestamp: ts };
  }
  return buildRecordBatch({ records, compression: o.compression, baseTimestamp: ts });
}

function produceBody(o: ProduceOptions, parts: { partition: number; records: Buffer }[]) {
  return {
    transactionalId: null,
    acks: o.acks,
    timeoutMs: 30_000,
    topicData: [{ name: o.topic, partitionData: parts.map((p) => ({ index: p.partition, records: p.records })) }],
  };
}

export async function produce(o: ProduceOptions, onProgress?: (s: ProduceStats) => void): Promise<ProduceStats> {
  const stats: ProduceStats = {
    sent: 0,
    acked: 0,
    measured: 0,
    ackedBytes: 0,
    errors: {},
    requests: 0,
    startUs: nowUs(),
    endUs: 0,
    measureStartUs: 0,
    delivery: newHistogram(),
  };
  const warmupEndUs = stats.startUs + o.warmupMs * 1000;
  stats.measureStartUs = warmupEndUs;
  const nConn = o.connections.length;
  const perRecord = o.messageSize + 12 + (o.keys === 'random' ? 8 : 0);
  const perBatch = Math.max(1, Math.floor(o.batchBytes / perRecord));
  const open: (Batch | null)[] = new Array(o.partitions).fill(null);
  const ready: Batch[][] = Array.from({ length: o.partitions }, () => []);
  const keyPool = Array.from({ length: Math.max(1, o.keyCount) }, (_, i) => {
    const k = Buffer.alloc(8);
    k.writeUInt32BE(i, 4);
    return k;
  });
  let generated = 0;
  let rr = 0;
  let finished = false;
  let failure: Error | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const fail = (e: Error) => {
    failure ??= e;
    finished = true;
    resolveDone();
  };

  const addMessage = (sched: number, partition: number) => {
    const key = o.keys === 'random' ? keyPool[(Math.random() * keyPool.length) | 0] : null;
    const p = key !== null && o.rate > 0 ? partitionOfKey(key, o.partitions) : partition;
    let b = open[p];
    if (b === null) {
      b = { partition: p, sched: [], keys: [] };
      open[p] = b;
    }
    b.sched.push(sched);
    b.keys.push(key);
    if (b.sched.length >= perBatch) {
      ready[p].push(b);
      open[p] = null;
    }
  };

  const onAck = (batches: Batch[], frame: Buffer) => {
    const now = nowUs();
    const d = decodeResponse(0, PRODUCE_VERSION, frame);
    if (!d.ok) return fail(new Error(`undecodable ProduceResponse: ${d.error.message}`));
    const codes = new Map<number, number>();
    for (const t of (d.value.body as ProduceResponse).responses) {
      for (const p of t.partitionResponses) codes.set(p.index, p.errorCode);
    }
    for (const b of batches) {
      const code = codes.get(b.partition) ?? -1;
      if (code !== 0) {
        stats.errors[code] = (stats.errors[code] ?? 0) + b.sched.length;
        continue;
      }
      stats.acked += b.sched.length;
      stats.ackedBytes += b.sched.length * o.messageSize;
      for (const s of b.sched) {
        if (s >= warmupEndUs) {
          record(stats.delivery, now - s);
          stats.measured++;
        }
      }
    }
  };

  const checkDone = () => {
    if (stats.acked + sumErrors(stats.errors) >= o.messages && !finished) {
      finished = true;
      stats.endUs = nowUs();
      resolveDone();
    }
  };

  const sendRequest = (c: number, batches: Batch[]) => {
    const conn = o.connections[c];
    const id = conn.allocateCorrelationId();
    const parts = batches.map((b) => ({ partition: b.partition, records: encodeBatch(o, b) }));
    const frame = encodeRequest(0, PRODUCE_VERSION, id, 'sluice-load', produceBody(o, parts));
    for (const b of batches) stats.sent += b.sched.length;
    stats.requests++;
    conn.send(id, frame).then(
      (f) => {
        onAck(batches, f);
        checkDone();
        pump();
      },
      (e: Error) => fail(e),
    );
  };

  const pump = () => {
    if (finished) return;
    const now = nowUs();
    const lingerUs = o.lingerMs * 1000;
    const flushAll = generated >= o.messages;
    for (let c = 0; c < nConn; c++) {
      const conn = o.connections[c];
      while (conn.inFlight < o.maxInFlight) {
        if (o.rate === 0 && generated < o.messages) {
          // Flat out: make a full batch for every partition of this connection that has none ready.
          for (let p = c; p < o.partitions; p += nConn) {
            while (ready[p].length === 0 && generated < o.messages) {
              addMessage(now, p);
              generated++;
            }
          }
        }
        const batches: Batch[] = [];
        for (let p = c; p < o.partitions; p += nConn) {
          const q = ready[p];
          if (q.length > 0) batches.push(q.shift()!);
          else {
            const b = open[p];
            if (b !== null && (flushAll || now - b.sched[0] >= lingerUs)) {
              batches.push(b);
              open[p] = null;
            }
          }
        }
        if (batches.length === 0) break;
        sendRequest(c, batches);
      }
    }
  };

  const tick = () => {
    if (finished) return;
    const now = nowUs();
    const due = Math.min(o.messages, Math.floor(((now - stats.startUs) * o.rate) / 1e6) + 1);
    while (generated < due) {
      addMessage(stats.startUs + (generated * 1e6) / o.rate, rr);
      rr = (rr + 1) % o.partitions;
      generated++;
    }
    pump();
  };

  const progress = onProgress ? setInterval(() => onProgress(stats), 1000) : null;
  const timeout = setTimeout(() => fail(new Error(`produce did not finish within ${o.timeoutMs} ms`)), o.timeoutMs);
  let ticker: NodeJS.Timeout | null = null;
  if (o.prebuilt) runPrebuilt(o, stats, warmupEndUs, fail, checkDone, () => finished);
  else if (o.rate > 0) ticker = setInterval(tick, 1);
  else pump();
  await done;
  if (ticker) clearInterval(ticker);
  if (progress) clearInterval(progress);
  clearTimeout(timeout);
  if (stats.endUs === 0) stats.endUs = nowUs();
  if (failure) throw failure;
  return stats;
}

function sumErrors(e: Record<string, number>): number {
  let n = 0;
  for (const k in e) n += e[k];
  return n;
}

function runPrebuilt(
  o: ProduceOptions,
  stats: ProduceStats,
  warmupEndUs: number,
  fail: (e: Error) => void,
  checkDone: () => void,
  isFinished: () => boolean,
): void {
  const perRecord = o.messageSize + 12;
  const perBatch = Math.max(1, Math.floor(o.batchBytes / perRecord));
  const nConn = o.connections.length;
  for (let c = 0; c < nConn; c++) {
    const conn = o.connections[c];
    const parts: { partition: number; records: Buffer }[] = [];
    for (let p = c; p < o.partitions; p += nConn) {
      const b: Batch = { partition: p, sched: new Array(perBatch).fill(0), keys: new Array(perBatch).fill(null) };
      parts.push({ partition: p, records: encodeBatch(o, b) });
    }
    const perRequest = parts.length * perBatch;
    // Everything after size, apiKey, apiVersion and correlationId: the client id and the body, shared by every send.
    const rest = encodeRequest(0, PRODUCE_VERSION, 0, 'sluice-load', produceBody(o, parts)).subarray(12);
    const fill = () => {
      while (!isFinished() && conn.inFlight < o.maxInFlight && stats.sent < o.messages) {
        const sentAt = nowUs();
        stats.sent += perRequest;
        stats.requests++;
        conn.sendParts(0, PRODUCE_VERSION, rest).then(
          (frame) => {
            const now = nowUs();
            const d = decodeResponse(0, PRODUCE_VERSION, frame);
            if (!d.ok) return fail(new Error(`undecodable ProduceResponse: ${d.error.message}`));
            for (const t of (d.value.body as ProduceResponse).responses) {
              for (const p of t.partitionResponses) {
                if (p.errorCode !== 0) stats.errors[p.errorCode] = (stats.errors[p.errorCode] ?? 0) + perBatch;
                else {
                  stats.acked += perBatch;
                  stats.ackedBytes += perBatch * o.messageSize;
                  if (sentAt >= warmupEndUs) {
                    record(stats.delivery, now - sentAt, perBatch);
                    stats.measured += perBatch;
                  }
                }
              }
            }
            checkDone();
            fill();
          },
          (e: Error) => fail(e),
        );
      }
    };
    fill();
  }
}
