// Runs KafkaJS's scenario (npm kafkajs 2.2.4, in this process) against any bootstrap address. KafkaJS offers
// none and gzip without codec plugins, so those are its codecs. Its requests stay pre-flexible (ApiVersions v2,
// Produce v7, Fetch v11, Metadata v6; see /work/shared/notes/protocol.md), whatever the broker offers.
// KafkaJS has no group-less consumer: the `assign` variant reads with the Fetch its consumer sends, through
// KafkaJS's own cluster and broker objects (reached by its private createCluster symbol; kafkajs is pinned).
// `configs` uses AlterConfigs (key 33): KafkaJS has no IncrementalAlterConfigs.
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import {
  CONFIGS_ALTERED_RETENTION_MS,
  type Codec,
  type ScenarioOptions,
  type ScenarioRecord,
  type ScenarioResult,
  scenarioValue,
} from '../scenario.ts';

export const KAFKAJS_CODECS: readonly Codec[] = ['none', 'gzip'];

const require = createRequire(import.meta.url);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`kafkajs scenario: ${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runKafkaJsScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const kafkajs = require('kafkajs') as typeof KafkaJs;
  const version = (require('kafkajs/package.json') as { version: string }).version;
  const { Kafka, CompressionTypes, logLevel, Partitioners } = kafkajs;
  const codecs = opts.codecs ?? KAFKAJS_CODECS;
  const count = opts.count ?? 3;
  const group = opts.group ?? `${opts.topic}-group`;
  const kafka = new Kafka({
    clientId: 'sluice-kafkajs-scenario',
    brokers: [opts.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
  const result: ScenarioResult = {
    client: 'kafkajs',
    clientVersion: version,
    topic: opts.topic,
    produced: [],
    consumed: [],
    offsets: {},
    deleted: false,
  };
  const admin = kafka.admin();
  const run = async () => {
    await admin.connect();
    if (!opts.skipAdmin) {
      await admin.createTopics({
        topics: [{ topic: opts.topic, numPartitions: 3, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    }
    if (opts.configs) {
      const retentionMs = async () => {
        const d = await admin.describeConfigs({
          resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: opts.topic, configNames: ['retention.ms'] }],
          includeSynonyms: false,
        });
        return d.resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue ?? null;
      };
      const before = await retentionMs();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: opts.topic,
            configEntries: [{ name: 'retention.ms', value: CONFIGS_ALTERED_RETENTION_MS }],
          },
        ],
      });
      result.configs = { before, after: await retentionMs() };
    }
    const codecType: Record<Codec, KafkaJs.CompressionTypes> = {
      none: CompressionTypes.None,
      gzip: CompressionTypes.GZIP,
      snappy: CompressionTypes.Snappy,
      lz4: CompressionTypes.LZ4,
      zstd: CompressionTypes.ZSTD,
    };
    for (const codec of codecs) {
      const producer = kafka.producer({
        idempotent: opts.idempotent ?? true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const messages = [];
      for (let i = 0; i < count; i++) {
        messages.push({
          key: `${codec}-${i}`,
          value: scenarioValue('kafkajs', codec, i),
          headers: { codec, client: 'kafkajs' },
        });
      }
      const sent = await producer.send({ topic: opts.topic, acks: -1, compression: codecType[codec], messages });
      // KafkaJS reports each partition's base offset; records of one partition follow in send order.
      const next = new Map(sent.map((m) => [m.partition, Number(m.baseOffset)]));
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = [0, 1, 2].map((partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
      }));
      for (const m of messages) {
        const partition = partitioner({ topic: opts.topic, partitionMetadata, message: m });
        const offset = next.get(partition) ?? -1;
        next.set(partition, offset + 1);
        result.produced.push({ codec, key: m.key, partition, offset });
      }
      await producer.disconnect();
    }

    const total = codecs.length * count;
    if (opts.assign) {
      result.consumed = await fetchByAssignment(kafka, opts.topic);
      const latest = await admin.fetchTopicOffsets(opts.topic);
      for (const p of latest) {
        result.offsets[String(p.partition)] = { earliest: Number(p.low), latest: Number(p.high), committed: -1 };
      }
      if (!opts.skipAdmin) {
        await admin.deleteTopics({ topics: [opts.topic] });
        result.deleted = true;
      }
      return;
    }
    const consumer = kafka.consumer({ groupId: group, retry: { retries: 5 } });
    await consumer.connect();
    await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
    const last = new Map<number, number>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const record: ScenarioRecord = {
              partition,
              offset: Number(message.offset),
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers: Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            };
            result.consumed.push(record);
            last.set(partition, record.offset);
            if (result.consumed.length === total) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.commitOffsets(
      [...last].map(([partition, offset]) => ({ topic: opts.topic, partition, offset: String(offset + 1) })),
    );
    await consumer.disconnect();

    const latest = await admin.fetchTopicOffsets(opts.topic);
    const committed = await admin.fetchOffsets({ groupId: group, topics: [opts.topic] });
    for (const p of latest) {
      const c = committed[0]?.partitions.find((x) => x.partition === p.partition);
      result.offsets[String(p.partition)] = {
        earliest: Number(p.low),
        latest: Number(p.high),
        committed: Number(c?.offset ?? -1),
      };
    }
    if (!opts.skipAdmin) {
      await admin.deleteTopics({ topics: [opts.topic] });
      result.deleted = true;
    }
  };
  try {
    await withTimeout(run(), opts.timeoutMs ?? 120_000, 'run');
  } finally {
    await admin.disconnect();
  }
  return result;
}

interface KafkaJsFetchedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}
interface KafkaJsBroker {
  fetch(request: unknown): Promise<{
    responses: Array<{
      partitions: Array<{ errorCode: number; highWatermark: string; messages: KafkaJsFetchedMessage[] }>;
    }>;
  }>;
}
interface KafkaJsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findBroker(node: { nodeId: number }): Promise<KafkaJsBroker>;
}

/** Every record of every partition from offset 0 to the highWatermark, with the Fetch v11 KafkaJS's consumer sends. */
async function fetchByAssignment(kafka: KafkaJs.Kafka, topic: string): Promise<ScenarioRecord[]> {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (symbol === undefined) throw new Error('kafkajs scenario: no createCluster in this kafkajs version');
  const createCluster = (kafka as unknown as Record<symbol, (o: object) => KafkaJsCluster>)[symbol];
  const cluster = createCluster({});
  await cluster.connect();
  const out: ScenarioRecord[] = [];
  try {
    await cluster.addTargetTopic(topic);
    await cluster.refreshMetadata();
    for (const { partitionId, leader } of cluster.findTopicPartitionMetadata(topic)) {
      const broker = await cluster.findBroker({ nodeId: leader });
      let fetchOffset = 0;
      for (let round = 0; round < 1000; round++) {
        const r = await broker.fetch({
          replicaId: -1,
          isolationLevel: 1,
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: 10_485_760,
          topics: [
            { topic, partitions: [{ partition: partitionId, fetchOffset: String(fetchOffset), maxBytes: 1_048_576 }] },
          ],
        });
        const p = r.responses[0].partitions[0];
        if (p.errorCode !== 0) throw new Error(`kafkajs fetch ${topic}-${partitionId}: error ${p.errorCode}`);
        for (const m of p.messages) {
          const offset = Number(m.offset);
          if (offset < fetchOffset) continue;
          out.push({
            partition: partitionId,
            offset,
            key: m.key?.toString('utf8') ?? null,
            value: m.value?.toString('utf8') ?? null,
            headers: Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]),
          });
          fetchOffset = offset + 1;
        }
        if (fetchOffset >= Number(p.highWatermark)) break;
      }
    }
  } finally {
    await cluster.disconnect();
  }
  return out;
}
