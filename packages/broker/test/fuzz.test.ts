// Wire fuzzing of a real `sluice broker` process (reliability.md §2, §4 rows 17-19). For a bounded time (20 s,
// SLUICE_FUZZ_MS to change), FUZZ_CONNECTIONS connections each open with one well-formed golden request, then send
// random frames and mutations of the golden request frames real clients sent
// (packages/protocol/test/fixtures/golden/*/NNN-<Api>-v<N>-request.bin): bit flips, interesting bytes and int32s,
// truncation, extension, duplicated slices, other api keys/versions, hostile size prefixes; one golden frame in five
// goes unmutated so connections live long enough to parse later frames. Meanwhile one more connection produces with
// acks=all and records every acknowledged batch. What must hold at the end: the broker process is up and answers
// ApiVersions; no handler threw on a request that decoded (handler.ts: a throw is a bug; the broker logs it to
// stderr as "<Api> v<N> failed"); every acknowledged record is readable byte-exact at its acknowledged offset; the
// broker's resident memory (VmRSS from /proc/<pid>/status, sampled every 250 ms) never grew by more than
// RSS_GROWTH_LIMIT over its size after start-up.
// Deterministic input: a seeded PRNG (SLUICE_FUZZ_SEED to replay; the seed is printed as a test diagnostic). The
// interleaving with the broker's replies still varies from run to run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRecordBatch, type ProduceResponse } from '@sluice/protocol';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const FUZZ_MS = Number(process.env.SLUICE_FUZZ_MS ?? 20_000);
const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FUZZ_CONNECTIONS = 4;
/** 256 MiB: far above what 20 s of small frames should cost; a leak per frame or an unbounded allocation exceeds it. */
const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;
const GOLDEN = new URL('../../protocol/test/fixtures/golden/', import.meta.url).pathname;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function goldenRequests(): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of readdirSync(GOLDEN, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(GOLDEN, dir.name)).sort()) {
      // DeleteTopics frames are left out: a mutation could name the acknowledged-records topic.
      if (f.endsWith('-request.bin') && !f.includes('DeleteTopics')) out.push(readFileSync(join(GOLDEN, dir.name, f)));
    }
  }
  return out;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_INT32 = [0, -1, 1, 0x7fffffff, -0x80000000, 0x10000, 1_048_577];

/** One fuzzed frame body (without the size prefix) from the corpus or from nothing. */
function fuzzBody(rand: () => number, corpus: Buffer[]): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  if (rand() < 0.15) {
    // A random frame with a plausible header: key 0-90, version 0-20, correlation id, then random bytes.
    const b = Buffer.alloc(8 + int(200));
    for (let i = 0; i < b.length; i++) b[i] = int(256);
    b.writeInt16BE(int(91), 0);
    b.writeInt16BE(int(21), 2);
    return b;
  }
  let b = Buffer.from(corpus[int(corpus.length)]);
  // One frame in five is sent as the client sent it, so connections live longer and later frames are parsed too.
  const mutations = rand() < 0.2 ? 0 : 1 + int(4);
  for (let m = 0; m < mutations && b.length > 0; m++) {
    const at = int(b.length);
    switch (int(8)) {
      case 0:
        b[at] ^= 1 << int(8);
        break;
      case 1:
        b[at] = INTERESTING_BYTES[int(INTERESTING_BYTES.length)];
        break;
      case 2:
        if (at + 4 <= b.length) b.writeInt32BE(INTERESTING_INT32[int(INTERESTING_INT32.length)], at);
        break;
      case 3:
        b = b.subarray(0, at);
        break;
      case 4: {
        const extra = Buffer.alloc(1 + int(64));
        for (let i = 0; i < extra.length; i++) extra[i] = int(256);
        b = Buffer.concat([b, extra]);
        break;
      }
      case 5: {
        const len = Math.min(1 + int(32), b.length - at);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 6:
        if (b.length >= 4) b.writeInt16BE(int(21), 2);
        break;
      default:
        if (b.length >= 2) b.writeInt16BE(int(91), 0);
    }
  }
  return b;
}

/** The size prefix: mostly right, sometimes hostile (0, negative, huge, off by a few). */
function sizePrefix(rand: () => number, length: number): Buffer {
  const p = Buffer.alloc(4);
  const r = rand();
  if (r < 0.9) p.writeInt32BE(length, 0);
  else if (r < 0.93) p.writeInt32BE([0, -1, 0x7fffffff, -0x80000000][Math.floor(rand() * 4)], 0);
  else if (r < 0.96)
    p.writeInt32BE(0x47455420, 0); // "GET " as a size: 1195725856
  else p.writeInt32BE(Math.max(0, length + Math.floor(rand() * 9) - 4), 0);
  return p;
}

function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

interface FuzzStats {
  frames: number;
  responses: number;
  closedByBroker: number;
}

/** One fuzzing connection loop until `deadline`: bursts of 1-8 frames, then a short pause or a reconnect. */
async function fuzzConnection(port: number, rand: () => number, corpus: Buffer[], deadline: number, stats: FuzzStats) {
  while (Date.now() < deadline) {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    let closed = false;
    socket.on('data', (chunk: Buffer) => {
      stats.responses += chunk.length > 0 ? 1 : 0;
    });
    socket.once('close', () => {
      closed = true;
    });
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
    // Like a real client, start with a well-formed request (from the corpus), so the connection is past its first
    // frame when the fuzzed ones arrive.
    const first = corpus[Math.floor(rand() * corpus.length)];
    socket.write(Buffer.concat([sizePrefix(() => 0, first.length), first]));
    for (let burst = 0; burst < 1 + Math.floor(rand() * 6) && !closed && Date.now() < deadline; burst++) {
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(rand() * 30)));
      const frames: Buffer[] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) {
        const body = fuzzBody(rand, corpus);
        frames.push(sizePrefix(rand, body.length), body);
        stats.frames++;
      }
      socket.write(Buffer.concat(frames));
    }
    if (closed) stats.closedByBroker++;
    socket.destroy();
  }
}

describe('fuzzing the wire of a sluice broker', { timeout: FUZZ_MS + 90_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ set: { 'sluice.shards': '2', 'auto.create.topics.enable': 'true' } });
  });
  after(async () => {
    await broker?.dispose();
  });

  test('survives random and mutated frames; acknowledged records stay readable; memory stays bounded', async (t) => {
    t.diagnostic(`fuzz seed ${SEED} (replay with SLUICE_FUZZ_SEED=${SEED}), ${FUZZ_MS} ms`);
    const corpus = goldenRequests();
    assert.ok(corpus.length > 50, 'the golden request frames are there');
    const producer = await WireClient.connect(broker.port);
    await createTopic(producer, 'fuzz-acked', 3);
    const pid = broker.child.pid!;
    const baselineRss = vmRss(pid);
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      if (broker.child.exitCode === null) peakRss = Math.max(peakRss, vmRss(pid));
    }, 250);

    const deadline = Date.now() + FUZZ_MS;
    const stats: FuzzStats = { frames: 0, responses: 0, closedByBroker: 0 };
    const acked: Array<{ partition: number; offset: number; value: Buffer }> = [];
    const produceLoop = async () => {
      for (let seq = 0; Date.now() < deadline; seq++) {
        const partition = seq % 3;
        const values = Array.from({ length: 1 + (seq % 3) }, (_, i) => Buffer.from(`acked ${SEED} ${seq} ${i}`));
        const r = await producer.send<ProduceResponse>(0, 9, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 10_000,
          topicData: [
            {
              name: 'fuzz-acked',
              partitionData: [
                {
                  index: partition,
                  records: buildRecordBatch({ baseTimestamp: Date.now(), records: values.map((value) => ({ value })) }),
                },
              ],
            },
          ],
        });
        const p = r.responses[0].partitionResponses[0];
        if (p.errorCode === 0) {
          values.forEach((value, i) => {
            acked.push({ partition, offset: Number(p.baseOffset) + i, value });
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      await Promise.all([
        produceLoop(),
        ...Array.from({ length: FUZZ_CONNECTIONS }, (_, i) =>
          fuzzConnection(broker.port, prng(SEED + i + 1), corpus, deadline, stats),
        ),
      ]);
    } finally {
      clearInterval(sampler);
    }
    t.diagnostic(
      `${stats.frames} fuzzed frames, ${stats.responses} response chunks, ${stats.closedByBroker} connections ` +
        `closed by the broker; ${acked.length} records acknowledged; VmRSS ${(baselineRss / 2 ** 20).toFixed(0)} ` +
        `-> peak ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
    );
    assert.equal(
      broker.child.exitCode,
      null,
      `the broker is still running (seed ${SEED}): ${broker.stderr().slice(-2000)}`,
    );
    assert.ok(acked.length > 0, 'the producer got acknowledgements while the fuzzers ran');
    // A request that decodes but makes its handler throw is a bug (handlers/handler.ts: errors are codes; a throw
    // closes the connection and is logged as "<Api> v<N> failed").
    const handlerFailures = broker.stderr().match(/^.*\bv\d+ failed, closing the connection: .*$/gm) ?? [];
    assert.deepEqual([...new Set(handlerFailures)], [], `no handler threw on a decodable request (seed ${SEED})`);

    const checker = await WireClient.connect(broker.port);
    try {
      const versions = await checker.send<{ errorCode: number }>(18, 3, {
        clientSoftwareName: 'fuzz-check',
        clientSoftwareVersion: '1',
      });
      assert.equal(versions.errorCode, 0, 'a new connection is served');
      for (const partition of [0, 1, 2]) {
        const stored = new Map((await fetchAll(checker, 'fuzz-acked', partition)).map((r) => [r.offset, r]));
        for (const a of acked.filter((x) => x.partition === partition)) {
          const r = stored.get(a.offset);
          assert.ok(r, `acknowledged record at ${partition}@${a.offset} is readable (seed ${SEED})`);
          assert.ok(Buffer.from(r.value ?? []).equals(a.value), `record at ${partition}@${a.offset} is byte-exact`);
        }
      }
    } finally {
      checker.close();
      producer.close();
    }
    assert.ok(
      peakRss - baselineRss < RSS_GROWTH_LIMIT,
      `VmRSS grew by ${((peakRss - baselineRss) / 2 ** 20).toFixed(0)} MiB (seed ${SEED})`,
    );
  });
});
