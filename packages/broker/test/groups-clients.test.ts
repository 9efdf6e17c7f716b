// Consumer groups with the other clients, against one `sluice broker` process: the Java consumer (classic protocol,
// range and cooperative-sticky assignors; a SIGKILLed member is evicted after its session timeout and its partitions
// reassigned), kcat's balanced consumer (librdkafka), franz-go, kafka-python and confluent-kafka (commit, then a new
// member resumes after the committed offsets). Test data is produced with KafkaJS (no idempotence needed).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  franzClientBin,
  javaBin,
  repoRoot,
  runFranzGoScenario,
  runProcess,
  skipUnlessInstalled,
  trackChild,
} from '@sluice/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';

const PYTHON = join(repoRoot, 'tools', 'python', '.venv', 'bin', 'python');
const GROUP_CONSUMER_PY = join(repoRoot, 'tools', 'python', 'group_consumer.py');
const JAVA_TARGET = join(repoRoot, 'tools', 'java', 'target');
const JAVA_CLASS = join(JAVA_TARGET, 'classes', 'sluice', 'tools', 'GroupConsumer.class');

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A GroupConsumer.java process: its latest assignment and the records it consumed. */
class JavaMember {
  readonly child: ChildProcess;
  assignment: number[] | null = null;
  readonly records: Array<[number, number]> = [];
  commitFailures = 0;
  private buffered = '';
  readonly exited: Promise<void>;

  constructor(bootstrap: string, topic: string, group: string, assignor: string) {
    this.child = spawn(
      javaBin,
      [
        '-Xmx128m',
        '-XX:TieredStopAtLevel=1',
        '-cp',
        `${join(JAVA_TARGET, 'lib', '*')}:${join(JAVA_TARGET, 'classes')}`,
        'sluice.tools.GroupConsumer',
        '--bootstrap',
        bootstrap,
        '--topic',
        topic,
        '--group',
        group,
        '--assignor',
        assignor,
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    trackChild(this.child);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdout!.on('data', (b: Buffer) => {
      this.buffered += b.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line) as { event: string; partitions?: number[]; partition?: number; offset?: number };
        if (e.event === 'assignment') this.assignment = e.partitions!;
        else if (e.event === 'record') this.records.push([e.partition!, e.offset!]);
        else if (e.event === 'commit-failed') this.commitFailures++;
      }
    });
  }

  /** Clean close: stdin EOF -> close() -> LeaveGroup. */
  async close(): Promise<void> {
    this.child.stdin!.end();
    await this.exited;
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The members' assignments are disjoint, non-empty, and cover partitions 0..count-1. */
function covers(members: JavaMember[], count: number): boolean {
  if (!members.every((m) => m.assignment !== null && m.assignment.length > 0)) return false;
  const all = members.flatMap((m) => m.assignment!).sort((a, b) => a - b);
  return all.join() === Array.from({ length: count }, (_, i) => i).join();
}

describe('consumer groups with Java, kcat, franz-go, kafka-python, confluent-kafka', { timeout: 170_000 }, () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker({ set: { 'sluice.shards': '2', 'group.initial.rebalance.delay.ms': '0' } });
    kafka = new Kafka({ clientId: 'groups-clients', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await broker?.dispose();
  });

  async function topic(name: string, partitions: number): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }] });
    await admin.disconnect();
  }

  async function produce(name: string, partitions: number, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: name,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({ partition: i % partitions, value: `v${i}` })),
    });
    await producer.disconnect();
  }

  function onceEach(records: Array<[number, number]>, count: number): void {
    assert.equal(records.length, count, 'record count');
    assert.equal(new Set(records.map(([p, o]) => `${p}:${o}`)).size, count, 'no record twice');
  }

  for (const assignor of ['range', 'cooperative-sticky']) {
    test(`Java consumer, ${assignor}: three members, each partition once; a killed member is evicted`, {
      skip: skipUnlessInstalled(existsSync(JAVA_CLASS), 'the compiled Java tools'),
    }, async () => {
      const name = `java-${assignor}`;
      await topic(name, 6);
      const members = [0, 1, 2].map(() => new JavaMember(broker.bootstrap, name, `${name}-group`, assignor));
      try {
        await until('three members sharing six partitions', () => covers(members, 6), 60_000);
        await produce(name, 6, 120);
        const all = () => members.flatMap((m) => m.records);
        await until('120 records', () => all().length >= 120);
        onceEach(all(), 120);
        for (const m of members) {
          for (const [p] of m.records) assert.ok(m.assignment!.includes(p), 'consumed by the partition owner');
        }
        // A crash: no LeaveGroup. The broker evicts the member after session.timeout.ms (6 s) and rebalances.
        const [victim, ...rest] = members;
        const orphaned = victim.assignment!;
        await victim.kill();
        await until('the survivors own all six partitions', () => covers(rest, 6), 40_000);
        await produce(name, 6, 60);
        const survivors = () => rest.flatMap((m) => m.records);
        await until('60 more records', () => survivors().length >= 120 - victim.records.length + 60);
        const fresh = survivors().filter(([, o]) => o >= 20);
        onceEach(fresh, 60);
        assert.ok(
          fresh.some(([p]) => orphaned.includes(p)),
          "the killed member's partitions are consumed",
        );
      } finally {
        await Promise.all(members.map((m) => m.close()));
      }
    });
  }

  test('kcat balanced consumer (-G) commits and a second run resumes after it', async () => {
    await topic('kcat-g', 3);
    await produce('kcat-g', 3, 30);
    const kcat = (count: number) =>
      runProcess(
        'kcat',
        [
          '-b',
          broker.bootstrap,
          '-G',
          'kcat-group',
          '-X',
          'auto.offset.reset=earliest',
          '-c',
          String(count),
          '-f',
          '%p:%o\\n',
          'kcat-g',
        ],
        { timeoutMs: 40_000 },
      );
    const parse = (out: string) =>
      out
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(':').map(Number) as [number, number]);
    const first = await kcat(30);
    assert.equal(first.code, 0, first.stderr);
    onceEach(parse(first.stdout), 30);
    await produce('kcat-g', 3, 9);
    const second = await kcat(9);
    assert.equal(second.code, 0, second.stderr);
    const resumed = parse(second.stdout);
    onceEach(resumed, 9);
    assert.ok(
      resumed.every(([, o]) => o >= 10),
      'only records after the committed offsets',
    );
  });

  test('franz-go classic group consumes and commits', {
    skip: skipUnlessInstalled(existsSync(franzClientBin), 'the franz-go client'),
  }, async () => {
    const r = await runFranzGoScenario({
      bootstrap: broker.bootstrap,
      topic: 'franz-g',
      group: 'franz-group',
      codecs: ['none'],
      count: 6,
      idempotent: false,
      timeoutMs: 60_000,
    });
    assert.equal(r.produced.length, 6, JSON.stringify(r));
    assert.equal(r.consumed.length, 6);
    for (const [partition, o] of Object.entries(r.offsets)) {
      assert.equal(o.committed, o.latest, `partition ${partition} committed up to its end`);
    }
  });

  for (const lib of ['kafka-python', 'confluent']) {
    test(`${lib}: a group member commits and the next one resumes after it`, {
      skip: skipUnlessInstalled(existsSync(PYTHON), 'the Python clients'),
    }, async () => {
      const name = `py-${lib}`;
      await topic(name, 3);
      await produce(name, 3, 15);
      const run = async (count: number) => {
        const r = await runProcess(
          PYTHON,
          [
            GROUP_CONSUMER_PY,
            '--lib',
            lib,
            '--bootstrap',
            broker.bootstrap,
            '--topic',
            name,
            '--group',
            `${name}-g`,
            '--count',
            String(count),
            '--timeout',
            '30',
          ],
          { timeoutMs: 45_000 },
        );
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as { records: Array<[number, number]> }).records;
      };
      onceEach(await run(15), 15);
      await produce(name, 3, 6);
      const resumed = await run(6);
      onceEach(resumed, 6);
      assert.ok(
        resumed.every(([, o]) => o >= 5),
        'only records after the committed offsets',
      );
    });
  }
});
