// Transactions end to end with the Java client (kafka-clients 4.4, tools/java TransactionalProducer.java) against a
// real `sluice broker` process with 2 shards: committed transactions are exactly what a read_committed consumer
// sees, read_uncommitted sees the aborted ones too; a producer killed with its transaction open has it aborted by
// the coordinator once transaction.timeout.ms passes (the lastStableOffset moves past it); a successor with the
// same transactional.id fences a zombie's open transaction (aborted) and commits its own; and the coordinator's
// state survives a restart (the successor's epoch keeps growing). A consume-transform-produce loop
// (sendOffsetsToTransaction: AddOffsetsToTxn + TxnOffsetCommit) killed mid-way and restarted writes every input
// exactly once.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DescribeTransactionsResponse, ListOffsetsResponse } from '@sluice/protocol';
import { javaBin, kafkaAvailable, skipUnlessInstalled } from '@sluice/testkit';
import { javaClientClasspath } from '@sluice/testkit/paths.ts';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { WireClient } from './support/wire-client.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const TOPIC = 'ledger';
const INPUT = 'copy-in';
const OUTPUT = 'copy-out';
const PARTITIONS = 3;
const ready =
  kafkaAvailable() && existsSync(join(REPO, 'tools/java/target/classes/sluice/tools/TransactionalProducer.class'));

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function java(args: string[]): Run {
  const child = spawn(javaBin, ['-cp', javaClientClasspath('current'), 'sluice.tools.TransactionalProducer', ...args]);
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  // 90 s: a bound, never reached by a healthy run (each program takes a few seconds).
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 && code !== null) lines.push(`stderr ${err.slice(-2000)}`);
      resolve(code);
    }),
  );
  return { child, lines, exited };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const values = (id: string, k: number) => Array.from({ length: PARTITIONS * 2 }, (_, i) => `${id}-${k}-${i}`);

describe('transactions with the Java client', {
  skip: skipUnlessInstalled(ready, 'the compiled Java tools'),
  timeout: 300_000,
}, () => {
  let broker: BrokerProcess;
  const settings = {
    'sluice.shards': '2',
    // The coordinator looks for timed-out transactions every 500 ms instead of 10 s.
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
  };

  before(async () => {
    broker = await startBroker({ set: settings });
    const wire = await WireClient.connect(broker.port);
    await wire.send(19, 4, {
      topics: [TOPIC, INPUT, OUTPUT].map((name) => ({
        name,
        numPartitions: PARTITIONS,
        replicationFactor: 1,
        assignments: [],
        configs: [],
      })),
      timeoutMs: 10_000,
      validateOnly: false,
    });
    wire.close();
  });
  after(async () => {
    await broker?.dispose();
  });

  async function produce(id: string, plan: string, timeoutMs = 60_000, topic = TOPIC): Promise<string[]> {
    const run = java(['produce', broker.bootstrap, topic, String(PARTITIONS), id, plan, String(timeoutMs)]);
    assert.equal(await run.exited, 0, run.lines.join('\n'));
    return run.lines;
  }

  async function consume(isolation: 'read_committed' | 'read_uncommitted', topic = TOPIC): Promise<string[]> {
    const run = java(['consume', broker.bootstrap, topic, String(PARTITIONS), isolation]);
    assert.equal(await run.exited, 0, run.lines.join('\n'));
    assert.equal(run.lines.at(-1), 'done');
    return run.lines.filter((l) => l.startsWith('record ')).map((l) => l.slice(7));
  }

  async function latestOffsets(isolationLevel: 0 | 1): Promise<number[]> {
    const wire = await WireClient.connect(broker.port);
    try {
      const r = await wire.send<ListOffsetsResponse>(2, 5, {
        replicaId: -1,
        isolationLevel,
        topics: [
          {
            name: TOPIC,
            partitions: Array.from({ length: PARTITIONS }, (_, i) => ({
              partitionIndex: i,
              currentLeaderEpoch: -1,
              timestamp: -1n,
              maxNumOffsets: 1,
            })),
          },
        ],
      });
      return r.topics[0].partitions.map((p) => Number(p.offset));
    } finally {
      wire.close();
    }
  }

  /** A producer whose last transaction stays open until the process is killed. */
  async function openTransaction(id: string, timeoutMs: number): Promise<Run> {
    const run = java(['produce', broker.bootstrap, TOPIC, String(PARTITIONS), id, 'h', String(timeoutMs)]);
    await until(
      `${id} sending its open transaction`,
      () => run.lines.includes('open 0') || run.child.exitCode !== null,
    );
    assert.ok(run.lines.includes('open 0'), run.lines.join('\n'));
    return run;
  }

  test('read_committed sees exactly the committed transactions, timed-out and fenced ones are aborted', async () => {
    const committed: string[] = [];
    const aborted: string[] = [];

    const lines = await produce('writer', 'cacac');
    assert.deepEqual(lines, ['committed 0', 'aborted 1', 'committed 2', 'aborted 3', 'committed 4', 'done']);
    for (const k of [0, 2, 4]) committed.push(...values('writer', k));
    for (const k of [1, 3]) aborted.push(...values('writer', k));

    // Left open by a producer that dies: aborted by the coordinator after transaction.timeout.ms (1 s).
    const forgotten = await openTransaction('forgetful', 1_000);
    const [lsoOpen, hwOpen] = [await latestOffsets(1), await latestOffsets(0)];
    assert.ok(
      lsoOpen.every((o, i) => o < hwOpen[i]),
      `an open transaction holds the lastStableOffsets ${lsoOpen} below ${hwOpen}`,
    );
    forgotten.child.kill('SIGKILL');
    await forgotten.exited;
    await until('the timed-out transaction aborted', async () => {
      const [lso, hw] = [await latestOffsets(1), await latestOffsets(0)];
      return lso.every((o, i) => o === hw[i]);
    });
    aborted.push(...values('forgetful', 0));

    // A zombie with its transaction open (long timeout); the successor's initTransactions fences and aborts it.
    const zombie = await openTransaction('shared-id', 60_000);
    assert.deepEqual(await produce('shared-id', 'c'), ['committed 0', 'done']);
    committed.push(...values('shared-id', 0)); // the successor's own transaction 0
    zombie.child.kill('SIGKILL');
    await zombie.exited;
    // The zombie's records carry the same values as the successor's: count them instead.
    const zombieValues = values('shared-id', 0);

    const [rc, ru] = await Promise.all([consume('read_committed'), consume('read_uncommitted')]);
    assert.deepEqual([...rc].sort(), [...committed].sort());
    assert.deepEqual([...ru].sort(), [...committed, ...aborted, ...zombieValues].sort());
  });

  async function describe(id: string): Promise<{ state: string; producerId: bigint; epoch: number }> {
    const wire = await WireClient.connect(broker.port);
    try {
      const r = await wire.send<DescribeTransactionsResponse>(65, 0, { transactionalIds: [id] });
      const t = r.transactionStates[0];
      assert.equal(t.errorCode, 0);
      return { state: t.transactionState, producerId: t.producerId, epoch: t.producerEpoch };
    } finally {
      wire.close();
    }
  }

  test('the coordinator state survives a restart: the producer id stays and the epoch keeps growing', async () => {
    const before = await describe('writer');
    assert.equal(before.state, 'CompleteCommit');
    await broker.stop();
    broker = await startBroker({ dataDir: broker.dataDir, port: broker.port, set: settings });
    assert.deepEqual(await produce('writer', 'ca'), ['committed 0', 'aborted 1', 'done']);
    // EndTxn is answered once PrepareAbort is durable; CompleteAbort follows the markers.
    await until('the abort completed', async () => (await describe('writer')).state === 'CompleteAbort');
    const now = await describe('writer');
    assert.deepEqual(now, { state: 'CompleteAbort', producerId: before.producerId, epoch: before.epoch + 1 });
    const rc = await consume('read_committed');
    assert.equal(rc.filter((v) => v === 'writer-0-0').length, 2, 'writer-0-* committed before and after');
    assert.equal(rc.filter((v) => v === 'writer-1-0').length, 0, 'writer-1-* aborted before and after');
  });

  test('a consume-transform-produce loop killed mid-way and restarted writes every input exactly once', async () => {
    await produce('input-writer', 'c'.repeat(20), 60_000, INPUT);
    const inputs = Array.from({ length: 20 }, (_, k) => values('input-writer', k)).flat();
    const args = ['copy', broker.bootstrap, INPUT, OUTPUT, String(PARTITIONS), 'copier', 'copier-group'];
    const first = java(args);
    await until(
      '3 transactions of the first copier',
      () => first.lines.includes('committed 3') || first.child.exitCode !== null,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const second = java(args);
    assert.equal(await second.exited, 0, second.lines.join('\n'));
    assert.equal(second.lines.at(-1), 'done');
    const copied = await consume('read_committed', OUTPUT);
    assert.deepEqual(copied.sort(), inputs.map((v) => `copy-${v}`).sort());
  });
});
