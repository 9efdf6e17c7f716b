// Runs @platformatic/kafka's scenario (npm @platformatic/kafka 2.12.1, in this process) against any bootstrap
// address. Codecs: none, gzip, snappy, lz4, zstd. It sends ApiVersions v3 only and, per API, the newest version it
// implements within the broker's range (mostly flexible versions; see /work/shared/notes/protocol.md).
// `produced` is filled from what the consumer read back (matched by key): its producer reports base offsets only.
// The `assign` variant reads with Consumer.fetch (a group-less Fetch to the partition's leader, by topic id).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  IncrementalAlterConfigOperationTypes,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import {
  ALL_CODECS,
  CONFIGS_ALTERED_RETENTION_MS,
  type ScenarioOptions,
  type ScenarioRecord,
  type ScenarioResult,
  scenarioValue,
} from '../scenario.ts';

export const PLATFORMATIC_CODECS = ALL_CODECS;

/** The package exports only its index; its version sits in package.json beside dist/. */
function clientVersion(): string {
  const index = fileURLToPath(import.meta.resolve('@platformatic/kafka'));
  const pkg = JSON.parse(readFileSync(join(dirname(index), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`@platformatic/kafka scenario timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runPlatformaticScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const codecs = opts.codecs ?? PLATFORMATIC_CODECS;
  const count = opts.count ?? 3;
  const groupId = opts.group ?? `${opts.topic}-group`;
  const base = { clientId: 'sluice-platformatic-scenario', bootstrapBrokers: [opts.bootstrap] };
  const result: ScenarioResult = {
    client: 'platformatic',
    clientVersion: clientVersion(),
    topic: opts.topic,
    produced: [],
    consumed: [],
    offsets: {},
    deleted: false,
  };
  const admin = new Admin(base);
  const consumer = new Consumer({ ...base, groupId, deserializers: stringDeserializers });
  const run = async () => {
    if (!opts.skipAdmin) await admin.createTopics({ topics: [opts.topic], partitions: 3, replicas: 1 });
    if (opts.configs) {
      const resource = { resourceType: ConfigResourceTypes.TOPIC, resourceName: opts.topic };
      const retentionMs = async () => {
        const d = await admin.describeConfigs({ resources: [{ ...resource, configurationKeys: ['retention.ms'] }] });
        return d[0]?.configs.find((c) => c.name === 'retention.ms')?.value ?? null;
      };
      const before = await retentionMs();
      await admin.incrementalAlterConfigs({
        resources: [
          {
            ...resource,
            configs: [
              {
                name: 'retention.ms',
                configOperation: IncrementalAlterConfigOperationTypes.SET,
                value: CONFIGS_ALTERED_RETENTION_MS,
              },
            ],
          },
        ],
      });
      result.configs = { before, after: await retentionMs() };
    }
    for (const codec of codecs) {
      const producer = new Producer({
        ...base,
        serializers: stringSerializers,
        idempotent: opts.idempotent ?? true,
        acks: -1,
        compression: codec,
      });
      const messages = [];
      for (let i = 0; i < count; i++) {
        messages.push({
          topic: opts.topic,
          key: `${codec}-${i}`,
          value: scenarioValue('platformatic', codec, i),
          headers: new Map([
            ['codec', codec],
            ['client', 'platformatic'],
          ]),
        });
      }
      await producer.send({ messages });
      await producer.close();
    }

    const total = codecs.length * count;
    if (opts.assign) {
      result.consumed = await fetchByAssignment(consumer, opts.topic);
      for (const r of result.consumed) {
        result.produced.push({
          codec: r.key?.split('-')[0] ?? '',
          key: r.key ?? '',
          partition: r.partition,
          offset: r.offset,
        });
      }
      const earliest = await consumer.listOffsets({ topics: [opts.topic], timestamp: -2n });
      const latest = await consumer.listOffsets({ topics: [opts.topic], timestamp: -1n });
      const e = earliest.get(opts.topic) ?? [];
      const l = latest.get(opts.topic) ?? [];
      for (let p = 0; p < l.length; p++) {
        result.offsets[String(p)] = { earliest: Number(e[p] ?? -1n), latest: Number(l[p]), committed: -1 };
      }
      await consumer.close();
      if (!opts.skipAdmin) {
        await admin.deleteTopics({ topics: [opts.topic] });
        result.deleted = true;
      }
      return;
    }
    const stream = await consumer.consume({
      topics: [opts.topic],
      autocommit: false,
      mode: MessagesStreamModes.EARLIEST,
    });
    for await (const message of stream) {
      const key = message.key ?? null;
      result.consumed.push({
        partition: message.partition,
        offset: Number(message.offset),
        key,
        value: message.value ?? null,
        headers: [...message.headers].map(([k, v]) => [String(k), String(v)]),
      });
      result.produced.push({
        codec: key?.split('-')[0] ?? '',
        key: key ?? '',
        partition: message.partition,
        offset: Number(message.offset),
      });
      await message.commit();
      if (result.consumed.length >= total) break;
    }
    await stream.close();

    const earliest = await consumer.listOffsets({ topics: [opts.topic], timestamp: -2n });
    const latest = await consumer.listOffsets({ topics: [opts.topic], timestamp: -1n });
    const committed = await consumer.listCommittedOffsets({ topics: [{ topic: opts.topic, partitions: [0, 1, 2] }] });
    const e = earliest.get(opts.topic) ?? [];
    const l = latest.get(opts.topic) ?? [];
    const c = committed.get(opts.topic) ?? [];
    for (let p = 0; p < l.length; p++) {
      result.offsets[String(p)] = {
        earliest: Number(e[p] ?? -1n),
        latest: Number(l[p]),
        committed: Number(c[p] ?? -1n),
      };
    }
    await consumer.close();
    if (!opts.skipAdmin) {
      await admin.deleteTopics({ topics: [opts.topic] });
      result.deleted = true;
    }
  };
  try {
    await withTimeout(run(), opts.timeoutMs ?? 120_000);
  } finally {
    await consumer.close(true).catch(() => {});
    await admin.close().catch(() => {});
  }
  return result;
}

/** Every record of every partition from offset 0 to the highWatermark, with group-less Fetch requests. */
async function fetchByAssignment(
  consumer: Consumer<string, string, string, string>,
  topic: string,
): Promise<ScenarioRecord[]> {
  const metadata = await consumer.metadata({ topics: [topic] });
  const t = metadata.topics.get(topic);
  if (t === undefined) throw new Error(`@platformatic/kafka scenario: no metadata for ${topic}`);
  const out: ScenarioRecord[] = [];
  for (let partition = 0; partition < t.partitions.length; partition++) {
    let fetchOffset = 0n;
    for (let round = 0; round < 1000; round++) {
      const r = await consumer.fetch({
        node: t.partitions[partition].leader,
        maxWaitTime: 100,
        topics: [
          {
            topicId: t.id,
            partitions: [
              { partition, fetchOffset, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1_048_576 },
            ],
          },
        ],
      });
      const p = r.responses[0].partitions[0];
      if (p.errorCode !== 0) throw new Error(`@platformatic/kafka fetch ${topic}-${partition}: error ${p.errorCode}`);
      for (const batch of p.records ?? []) {
        for (const record of batch.records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta);
          if (offset < fetchOffset) continue;
          out.push({
            partition,
            offset: Number(offset),
            key: record.key?.toString('utf8') ?? null,
            value: record.value?.toString('utf8') ?? null,
            headers: record.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? '']),
          });
          fetchOffset = offset + 1n;
        }
      }
      if (fetchOffset >= p.highWatermark) break;
    }
  }
  return out;
}
