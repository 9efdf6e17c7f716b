// The full consumer-group scenario, against one `sluice broker` process, for the clients groups-clients.test.ts
// covers with one member only: @platformatic/kafka (packages/broker/test/support/platformatic-group-member.ts),
// franz-go (tools/go/group-member, built here with `go build`) and confluent-kafka/librdkafka
// (tools/python/group_member.py). Each member is a child process printing its assignments and the records it
// consumed and committed as JSON lines. Per client, on a 6-partition topic: three members get each partition exactly
// once; every record is consumed exactly once across the members; a member that closes hands its partitions over
// within session.timeout.ms (6 s); a SIGKILLed member is evicted after its session timeout and its partitions
// reassigned; a new member resumes after the committed offsets. Test data is produced with KafkaJS.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, skipUnlessInstalled, trackChild } from '@sluice/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';

const SESSION_TIMEOUT_MS = 6000;
const PARTITIONS = 6;
const PYTHON = join(repoRoot, 'tools', 'python', '.venv', 'bin', 'python');
const GROUP_MEMBER_PY = join(repoRoot, 'tools', 'python', 'group_member.py');
const PLATFORMATIC_MEMBER = join(import.meta.dirname, 'support', 'platformatic-group-member.ts');
const GO_MODULE = join(repoRoot, 'tools', 'go');

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Consumed {
  partition: number;
  offset: number;
  value: string;
}

/** A member process: its latest assignment and the records it consumed and committed. */
class Member {
  readonly child: ChildProcess;
  assignment: number[] | null = null;
  readonly records: Consumed[] = [];
  readonly commitFailures: string[] = [];
  exitCode: number | null = null;
  stderr = '';
  private buffered = '';
  readonly exited: Promise<void>;

  constructor(cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(this.child);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
    this.child.stderr!.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4000);
    });
    this.child.stdout!.on('data', (b: Buffer) => {
      this.buffered += b.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line) as { event: string; partitions?: number[]; error?: string } & Consumed;
        if (e.event === 'assignment') this.assignment = e.partitions!;
        else if (e.event === 'record') this.records.push({ partition: e.partition, offset: e.offset, value: e.value });
        else if (e.event === 'commit-failed') this.commitFailures.push(e.error!);
      }
    });
  }

  /** Clean close: stdin EOF -> close -> LeaveGroup. Bounded: SIGKILL after 15 s. */
  async close(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The members' assignments are disjoint, non-empty, and cover partitions 0..PARTITIONS-1. */
function covers(members: Member[]): boolean {
  if (!members.every((m) => m.assignment !== null && m.assignment.length > 0)) return false;
  const all = members.flatMap((m) => m.assignment!).sort((a, b) => a - b);
  return all.join() === Array.from({ length: PARTITIONS }, (_, i) => i).join();
}

type MemberFactory = (topic: string, group: string) => Member;

describe('consumer groups of three members: @platformatic/kafka, franz-go, confluent-kafka', {
  timeout: 150_000,
}, () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  const cleanups: Array<() => Promise<void> | void> = [];
  before(async () => {
    broker = await startBroker({ set: { 'sluice.shards': '2', 'group.initial.rebalance.delay.ms': '0' } });
    kafka = new Kafka({ clientId: 'groups-members', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    for (const c of cleanups) await c();
    await broker?.dispose();
  });

  /** Sends `count` records "<tag>-<i>" to partition i % 6. */
  async function produce(topic: string, tag: string, count: number): Promise<string[]> {
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
    await producer.send({
      topic,
      acks: -1,
      messages: values.map((value, i) => ({ partition: i % PARTITIONS, value })),
    });
    await producer.disconnect();
    return values;
  }

  async function committed(topic: string, group: string): Promise<number[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const r = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return r[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until `members` consumed every value in `values`, then checks each was consumed exactly once. */
  async function consumedOnce(members: Member[], values: string[], what: string): Promise<Consumed[]> {
    const wanted = new Set(values);
    const mine = () => members.flatMap((m) => m.records).filter((r) => wanted.has(r.value));
    await until(`${what}: ${values.length} records`, () => mine().length >= values.length);
    const got = mine();
    assert.equal(got.length, values.length, `${what}: no record consumed twice`);
    assert.deepEqual(new Set(got.map((r) => r.value)), wanted, `${what}: every record consumed`);
    return got;
  }

  async function scenario(client: string, member: MemberFactory): Promise<void> {
    const topic = `members-${client}`;
    const group = `${topic}-group`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const everyone: Member[] = [];
    const start = () => {
      const m = member(topic, group);
      everyone.push(m);
      return m;
    };
    const describe = () =>
      everyone.map((m) => `assignment ${JSON.stringify(m.assignment)} exit ${m.exitCode} ${m.stderr}`).join('\n');
    try {
      const [a, b, c] = [start(), start(), start()];
      await until('three members sharing six partitions', () => covers([a, b, c]), 60_000).catch((e) => {
        throw new Error(`${e.message}\n${describe()}`);
      });
      const first = await consumedOnce([a, b, c], await produce(topic, 'first', 60), 'three members');
      for (const m of [a, b, c]) {
        for (const r of m.records) assert.ok(m.assignment!.includes(r.partition), 'consumed by the partition owner');
      }
      assert.equal(first.length, 60);
      await until('commits at offset 10', async () => (await committed(topic, group)).every((o) => o === 10));

      // A clean close sends LeaveGroup: the survivors take over without waiting for a session timeout.
      const left = a.assignment!;
      await a.close();
      assert.equal(a.exitCode, 0, a.stderr);
      await until('two members owning six partitions', () => covers([b, c]), SESSION_TIMEOUT_MS);
      const second = await consumedOnce([b, c], await produce(topic, 'second', 30), 'after the leave');
      assert.ok(
        second.some((r) => left.includes(r.partition)),
        "the departed member's partitions are consumed",
      );
      await until('commits at offset 15', async () => (await committed(topic, group)).every((o) => o === 15));

      // A crash sends nothing: the broker evicts the member after its session timeout and rebalances.
      const crashed = b.assignment!;
      await b.kill();
      await until('the survivor owning six partitions', () => covers([c]), 40_000);
      const third = await consumedOnce([c], await produce(topic, 'third', 30), 'after the crash');
      assert.ok(
        third.some((r) => crashed.includes(r.partition)),
        "the killed member's partitions are consumed",
      );
      await until('commits at offset 20', async () => (await committed(topic, group)).every((o) => o === 20));

      // Everyone gone; a new member resumes after the committed offsets.
      await c.close();
      assert.equal(c.exitCode, 0, c.stderr);
      const fourthValues = await produce(topic, 'fourth', 30);
      const d = start();
      const fourth = await consumedOnce([d], fourthValues, 'a new member');
      assert.ok(
        fourth.every((r) => r.offset >= 20),
        'only records after the committed offsets',
      );
      await d.close();
      assert.equal(d.exitCode, 0, d.stderr);

      // Across the whole run: 150 records, each consumed by exactly one member, each once.
      const all = everyone.flatMap((m) => m.records);
      assert.equal(all.length, 150, 'records consumed in total');
      assert.equal(new Set(all.map((r) => `${r.partition}:${r.offset}`)).size, 150, 'no record consumed twice');
    } finally {
      await Promise.all(everyone.map((m) => m.kill()));
    }
  }

  test('@platformatic/kafka: three members split, hand over on close and on crash, a new member resumes', () =>
    scenario(
      'platformatic',
      (topic, group) =>
        new Member(process.execPath, [PLATFORMATIC_MEMBER, broker.bootstrap, topic, group, String(SESSION_TIMEOUT_MS)]),
    ));

  test('franz-go: three members split, hand over on close and on crash, a new member resumes', {
    skip: skipUnlessInstalled(existsSync(join(GO_MODULE, 'go.sum')), 'Go'),
  }, async () => {
    const bin = mkdtempSync(join(tmpdir(), 'sluice-group-member-'));
    cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
    await new Promise<void>((resolve, reject) => {
      const build = spawn('go', ['build', '-o', join(bin, 'group-member'), './group-member'], {
        cwd: GO_MODULE,
        stdio: 'inherit',
      });
      build.once('error', reject);
      build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go build exited ${code}`))));
    });
    await scenario(
      'franz-go',
      (topic, group) =>
        new Member(join(bin, 'group-member'), [
          `-brokers=${broker.bootstrap}`,
          `-topic=${topic}`,
          `-group=${group}`,
          `-session-timeout=${SESSION_TIMEOUT_MS}ms`,
        ]),
    );
  });

  test(
    'confluent-kafka: three members split, hand over on close and on crash, a new member resumes',
    {
      skip: skipUnlessInstalled(existsSync(PYTHON), 'the Python clients'),
    },
    () =>
      scenario(
        'confluent',
        (topic, group) =>
          new Member(PYTHON, [GROUP_MEMBER_PY, broker.bootstrap, topic, group, String(SESSION_TIMEOUT_MS)]),
      ),
  );
});
