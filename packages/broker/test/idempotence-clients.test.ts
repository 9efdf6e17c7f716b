// Real idempotent producers against a broker that is SIGKILLed and restarted 3 times while they send: the Java
// client (idempotence on by default), franz-go (default), confluent-kafka/librdkafka (enable.idempotence), KafkaJS
// and @platformatic/kafka (idempotent: true). Afterwards every acknowledged record is in the log exactly once, at
// the offset it was acknowledged with, no record is in the log twice, and each partition holds its records in send
// order. Bounded:
// 2000-4000 records per client, 3 kill cycles, every wait has a timeout. A client whose program or package is not
// installed (scripts/setup) is skipped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { javaBin, kafkaAvailable, skipUnlessInstalled } from '@sluice/testkit';
import { javaClientClasspath } from '@sluice/testkit/paths.ts';
import { Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, freePort, startBroker, tempDataDir } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const PYTHON = join(REPO, 'tools/python/.venv/bin/python');
const PARTITIONS = 2;
const KILL_CYCLES = 3;

interface Ack {
  partition: number;
  offset: number;
  value: string;
}

interface ProducerRun {
  acks: Ack[];
  errors: string[];
  finished: Promise<void>;
  stop(): void;
}

/** A producer program printing "ack <partition> <offset> <value>" / "error ..." lines and "done". */
function runProgram(cmd: string, args: string[]): ProducerRun {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: ProducerRun = { acks: [], errors: [], finished: Promise.resolve(), stop: () => child.kill('SIGKILL') };
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  child.stdout.on('data', (b: Buffer) => {
    buffered += b.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const [kind, a, b2, c] = line.split(' ');
      if (kind === 'ack') run.acks.push({ partition: Number(a), offset: Number(b2), value: c });
      else if (kind === 'error') run.errors.push(line);
      nl = buffered.indexOf('\n');
    }
  });
  run.finished = new Promise((resolve, reject) =>
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code ?? signal}: ${run.errors[0] ?? stderr}`)),
    ),
  );
  return run;
}

/** KafkaJS in this process: idempotent producer, sends of 50 records paced 10 ms apart. */
function runKafkaJs(bootstrap: string, topic: string, count: number, prefix: string): ProducerRun {
  const kafka = new Kafka({
    clientId: 'idempotence-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    requestTimeout: 3000,
    retry: { retries: 100, initialRetryTime: 100, maxRetryTime: 500 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let stopped = false;
  const run: ProducerRun = {
    acks: [],
    errors: [],
    finished: Promise.resolve(),
    stop: () => {
      stopped = true;
    },
  };
  run.finished = (async () => {
    await producer.connect();
    try {
      for (let i = 0; i < count && !stopped; i += 50) {
        const values = Array.from({ length: Math.min(50, count - i) }, (_, k) => `${prefix}-${i + k}`);
        const messages = values.map((value, k) => ({ value, partition: (i + k) % PARTITIONS }));
        const results = await producer.send({ topic, acks: -1, messages });
        for (const r of results) {
          const mine = messages.filter((m) => m.partition === r.partition);
          mine.forEach((m, k) => {
            run.acks.push({ partition: r.partition, offset: Number(r.baseOffset) + k, value: m.value });
          });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await producer.disconnect();
    }
  })();
  return run;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a broker, runs the producer through KILL_CYCLES SIGKILL/restart cycles, then checks the log. */
async function survivesKills(name: string, count: number, start: (bootstrap: string, topic: string) => ProducerRun) {
  const dataDir = tempDataDir();
  const port = await freePort();
  let broker: BrokerProcess = await startBroker({ dataDir, port });
  cleanups.push(async () => {
    await broker.dispose();
  });
  const topic = `idem-${name}`;
  const admin = await WireClient.connect(port);
  await createTopic(admin, topic, PARTITIONS);
  admin.close();
  const run = start(broker.bootstrap, topic);
  let finished = false;
  const outcome = run.finished.then(
    () => {
      finished = true;
    },
    (err: Error) => {
      finished = true;
      throw err;
    },
  );
  outcome.catch(() => {});
  try {
    for (let cycle = 1; cycle <= KILL_CYCLES; cycle++) {
      // Kill while records are in flight: after a share of the records was acknowledged since the last restart.
      const target = Math.floor((count * cycle) / (KILL_CYCLES + 1));
      await waitFor(() => run.acks.length >= target || finished, 60_000, `${name}: ${target} acks`);
      if (finished) break;
      await broker.kill();
      broker = await startBroker({ dataDir, port });
    }
    await withTimeout(outcome, 120_000, `${name} producer`);
  } finally {
    run.stop();
  }
  assert.deepEqual(run.errors, [], `${name}: failed sends`);
  assert.equal(run.acks.length, count, `${name}: every record acknowledged`);
  const client = await WireClient.connect(port);
  try {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const records = await fetchAll(client, topic, partition);
      const seen = new Map<string, number>();
      let lastIndex = -1;
      for (const r of records) {
        const value = r.value!.toString();
        assert.equal(seen.has(value), false, `${name}: ${value} is in partition ${partition} twice`);
        seen.set(value, r.offset);
        const index = Number(value.slice(value.lastIndexOf('-') + 1));
        assert.ok(index > lastIndex, `${name}: ${value} after index ${lastIndex} in partition ${partition}`);
        lastIndex = index;
      }
      for (const a of run.acks.filter((x) => x.partition === partition)) {
        assert.equal(seen.get(a.value), a.offset, `${name}: ${a.value} acknowledged at ${a.offset}`);
      }
    }
  } finally {
    client.close();
  }
}

const javaReady =
  kafkaAvailable() && existsSync(join(REPO, 'tools/java/target/classes/sluice/tools/IdempotentProducer.class'));
test(
  'Java producer (default idempotence) loses and duplicates nothing across 3 SIGKILLs',
  { skip: skipUnlessInstalled(javaReady, 'the compiled Java tools') },
  () =>
    survivesKills('java', 4000, (bootstrap, topic) =>
      runProgram(javaBin, [
        '-cp',
        javaClientClasspath('current'),
        'sluice.tools.IdempotentProducer',
        bootstrap,
        topic,
        String(PARTITIONS),
        '4000',
        'java',
      ]),
    ),
);

const goReady = existsSync(join(REPO, 'tools/go/go.sum'));
test('franz-go producer (default idempotence) loses and duplicates nothing across 3 SIGKILLs', {
  skip: skipUnlessInstalled(goReady, 'Go'),
}, async () => {
  const bin = mkdtempSync(join(tmpdir(), 'sluice-idem-go-'));
  cleanups.push(async () => rmSync(bin, { recursive: true, force: true }));
  await new Promise<void>((resolve, reject) => {
    const build = spawn('go', ['build', '-o', join(bin, 'idempotent-producer'), './idempotent-producer'], {
      cwd: join(REPO, 'tools/go'),
      stdio: 'inherit',
    });
    build.once('error', reject);
    build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go build exited ${code}`))));
  });
  await survivesKills('franz', 4000, (bootstrap, topic) =>
    runProgram(join(bin, 'idempotent-producer'), [
      `-brokers=${bootstrap}`,
      `-topic=${topic}`,
      `-partitions=${PARTITIONS}`,
      '-count=4000',
      '-prefix=franz',
    ]),
  );
});

test(
  'confluent-kafka producer (enable.idempotence) loses and duplicates nothing across 3 SIGKILLs',
  {
    skip: skipUnlessInstalled(existsSync(PYTHON), 'the Python clients'),
  },
  () =>
    survivesKills('librdkafka', 4000, (bootstrap, topic) =>
      runProgram(PYTHON, [
        join(REPO, 'tools/python/idempotent_producer.py'),
        bootstrap,
        topic,
        String(PARTITIONS),
        '4000',
        'librdkafka',
      ]),
    ),
);

test('KafkaJS producer (idempotent: true) loses and duplicates nothing across 3 SIGKILLs', () =>
  survivesKills('kafkajs', 2000, (bootstrap, topic) => runKafkaJs(bootstrap, topic, 2000, 'kafkajs')));

test('@platformatic/kafka producer (idempotent: true) loses and duplicates nothing across 3 SIGKILLs', () =>
  survivesKills('platformatic', 2000, (bootstrap, topic) =>
    runProgram(process.execPath, [
      join(import.meta.dirname, 'support/platformatic-idempotent-producer.ts'),
      bootstrap,
      topic,
      String(PARTITIONS),
      '2000',
      'platformatic',
    ]),
  ));
