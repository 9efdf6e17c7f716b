// Transactions from real clients other than Java and KafkaJS: confluent-kafka/librdkafka
// (tools/python/transactional_producer.py) and franz-go (tools/go/transactional-producer, built here with
// `go build`). Each runs commit, abort, commit (10 records a transaction over 2 partitions, flushed to the log before
// the transaction ends). Read back with the project's codec: a read_committed Fetch, filtered by its
// abortedTransactions list the way a consumer must, holds exactly the committed records in send order and none of
// the aborted ones; a read_uncommitted Fetch holds both. A client whose program or package is not installed
// (scripts/setup) is skipped. Bounded: every child has a 60 s limit and is killed afterwards.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { type FetchResponse, readBatchHeader, readRecords } from '@sluice/protocol';
import { skipUnlessInstalled } from '@sluice/testkit';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic, fetchBody } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const PYTHON = join(REPO, 'tools/python/.venv/bin/python');
const PARTITIONS = 2;
const PER_TXN = 10;
const PLAN = 'cac';

let broker: BrokerProcess;
let client: WireClient;
const cleanups: Array<() => void> = [];

before(async () => {
  broker = await startBroker({});
  client = await WireClient.connect(broker.port);
});
after(async () => {
  for (const c of cleanups) c();
  client?.close();
  await broker?.dispose();
});

/** Runs a program to its end (60 s at most, then SIGKILL) and returns its stdout lines. */
function runProgram(cmd: string, args: string[], cwd?: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((l) => l !== '');
      if (code === 0) resolve(lines);
      else reject(new Error(`${cmd} exited ${code ?? signal}: ${lines.join(' | ')} ${stderr}`));
    });
  });
}

/**
 * A consumer's view of a partition, control batches dropped. isolationLevel 1 (read_committed): Fetch up to the
 * lastStableOffset, dropping the data batches of each aborted transaction (from its firstOffset up to its producer's
 * next control batch), as Kafka's consumer does. isolationLevel 0 (read_uncommitted): everything up to the
 * highWatermark.
 */
async function consume(topic: string, partition: number, isolationLevel: 0 | 1): Promise<string[]> {
  const out: string[] = [];
  let offset = 0n;
  for (let round = 0; round < 100; round++) {
    const body = { ...fetchBody(topic, partition, offset, { maxBytes: 1 << 20 }), isolationLevel };
    const r = await client.send<FetchResponse>(1, 11, body);
    const p = r.responses[0].partitions[0];
    assert.equal(p.errorCode, 0, `fetch ${topic}-${partition}`);
    const aborted = [...(p.abortedTransactions ?? [])].sort((a, b) => Number(a.firstOffset - b.firstOffset));
    const abortedProducers = new Set<number>();
    const records = p.records ?? Buffer.alloc(0);
    let pos = 0;
    while (records.length - pos >= 61) {
      const size = 12 + records.readInt32BE(pos + 8);
      if (pos + size > records.length) break;
      const h = readBatchHeader(records, pos);
      const baseOffset = BigInt(h.baseOffset);
      const lastOffset = baseOffset + BigInt(h.lastOffsetDelta);
      while (aborted.length > 0 && aborted[0].firstOffset <= lastOffset) {
        abortedProducers.add(Number(aborted.shift()!.producerId));
      }
      if (h.isControl) abortedProducers.delete(h.producerId);
      else if (!(h.isTransactional && abortedProducers.has(h.producerId))) {
        for (const rec of readRecords(records, pos)) {
          if (BigInt(rec.offset) >= offset) out.push(rec.value!.toString());
        }
      }
      offset = lastOffset + 1n;
      pos += size;
    }
    const end = isolationLevel === 1 ? p.lastStableOffset : p.highWatermark;
    if (offset >= end) return out;
    if (pos === 0) throw new Error(`fetch ${topic}-${partition}@${offset}: no whole batch below ${end}`);
  }
  throw new Error('too many fetch rounds');
}

/** The values a plan's transactions send to one partition, in send order, split by outcome. */
function expected(prefix: string, partition: number): { committed: string[]; all: string[] } {
  const committed: string[] = [];
  const all: string[] = [];
  [...PLAN].forEach((kind, txn) => {
    for (let i = partition; i < PER_TXN; i += PARTITIONS) {
      const value = `${prefix}-${txn}-${kind}-${i}`;
      all.push(value);
      if (kind === 'c') committed.push(value);
    }
  });
  return { committed, all };
}

async function checkTopic(topic: string, prefix: string): Promise<void> {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const want = expected(prefix, partition);
    assert.deepEqual(await consume(topic, partition, 1), want.committed, `${prefix} read_committed p${partition}`);
    assert.deepEqual(await consume(topic, partition, 0), want.all, `${prefix} read_uncommitted p${partition}`);
  }
}

const PLAN_LINES = [...[...PLAN].map((k, i) => `${k === 'c' ? 'committed' : 'aborted'} ${i}`), 'done'];

test('confluent-kafka transactions: committed records visible to read_committed, aborted ones never', {
  skip: skipUnlessInstalled(existsSync(PYTHON), 'the Python clients'),
}, async () => {
  const topic = 'txn-librdkafka';
  await createTopic(client, topic, PARTITIONS);
  const lines = await runProgram(PYTHON, [
    join(REPO, 'tools/python/transactional_producer.py'),
    broker.bootstrap,
    topic,
    String(PARTITIONS),
    'librdkafka-txn',
    PLAN,
    String(PER_TXN),
    'rdk',
  ]);
  assert.deepEqual(lines, PLAN_LINES);
  await checkTopic(topic, 'rdk');
});

test('franz-go transactions: committed records visible to read_committed, aborted ones never', {
  skip: skipUnlessInstalled(existsSync(join(REPO, 'tools/go/go.sum')), 'Go'),
}, async () => {
  const bin = mkdtempSync(join(tmpdir(), 'sluice-txn-go-'));
  cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
  await runProgram(
    'go',
    ['build', '-o', join(bin, 'transactional-producer'), './transactional-producer'],
    join(REPO, 'tools/go'),
  );
  const topic = 'txn-franz';
  await createTopic(client, topic, PARTITIONS);
  const lines = await runProgram(join(bin, 'transactional-producer'), [
    `-brokers=${broker.bootstrap}`,
    `-topic=${topic}`,
    `-partitions=${PARTITIONS}`,
    '-txn-id=franz-txn',
    `-plan=${PLAN}`,
    `-per-txn=${PER_TXN}`,
    '-prefix=franz',
  ]);
  assert.deepEqual(lines, PLAN_LINES);
  await checkTopic(topic, 'franz');
});
