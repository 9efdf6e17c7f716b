// A real idempotent @platformatic/kafka producer (idempotent: true, in a child process:
// support/platformatic-idempotent-producer.ts) against a broker that is SIGKILLed and restarted 3 times while it
// sends, in the style of idempotence-clients.test.ts. Afterwards every acknowledged record is in the log exactly
// once, at the offset it was acknowledged with, no record is in the log twice, and each partition holds its records
// in send order. Bounded: 2000 records, 3 kill cycles, every wait has a timeout, the child is killed at the end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type BrokerProcess, freePort, startBroker, tempDataDir } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const PARTITIONS = 2;
const KILL_CYCLES = 3;
const COUNT = 2000;

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

/** The producer child, printing "ack <partition> <offset> <value>" / "error ..." lines and "done". */
function runProducer(bootstrap: string, topic: string): ProducerRun {
  const script = join(import.meta.dirname, 'support/platformatic-idempotent-producer.ts');
  const child = spawn(process.execPath, [script, bootstrap, topic, String(PARTITIONS), String(COUNT), 'platformatic'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
      code === 0 ? resolve() : reject(new Error(`producer exited ${code ?? signal}: ${run.errors[0] ?? stderr}`)),
    ),
  );
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

test('@platformatic/kafka producer (idempotent: true) loses and duplicates nothing across 3 SIGKILLs', async () => {
  const dataDir = tempDataDir();
  const port = await freePort();
  let broker: BrokerProcess = await startBroker({ dataDir, port });
  cleanups.push(async () => {
    await broker.dispose();
  });
  const topic = 'idem-platformatic';
  const admin = await WireClient.connect(port);
  await createTopic(admin, topic, PARTITIONS);
  admin.close();
  const run = runProducer(broker.bootstrap, topic);
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
      const target = Math.floor((COUNT * cycle) / (KILL_CYCLES + 1));
      await waitFor(() => run.acks.length >= target || finished, 30_000, `${target} acks`);
      if (finished) break;
      await broker.kill();
      broker = await startBroker({ dataDir, port });
    }
    await withTimeout(outcome, 30_000, 'producer');
  } finally {
    run.stop();
  }
  assert.deepEqual(run.errors, [], 'failed sends');
  assert.equal(run.acks.length, COUNT, 'every record acknowledged');
  const client = await WireClient.connect(port);
  try {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const records = await fetchAll(client, topic, partition);
      const seen = new Map<string, number>();
      let lastIndex = -1;
      for (const r of records) {
        const value = r.value!.toString();
        assert.equal(seen.has(value), false, `${value} is in partition ${partition} twice`);
        seen.set(value, r.offset);
        const index = Number(value.slice(value.lastIndexOf('-') + 1));
        assert.ok(index > lastIndex, `${value} after index ${lastIndex} in partition ${partition}`);
        lastIndex = index;
      }
      for (const a of run.acks.filter((x) => x.partition === partition)) {
        assert.equal(seen.get(a.value), a.offset, `${a.value} acknowledged at ${a.offset}`);
      }
    }
  } finally {
    client.close();
  }
});
