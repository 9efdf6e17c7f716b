// The client matrix against a real `sluice broker` process: the Java client (kafka-clients 4.4), KafkaJS 2.2.4,
// @platformatic/kafka, franz-go and confluent-kafka (Python, librdkafka) each run the testkit scenario
// (@sluice/testkit scenario.ts): create a 3-partition topic, produce keyed records with headers with every codec the
// client offers, read every record back, list earliest/latest offsets, delete the topic. What must hold: every
// record comes back byte-exact (key, value, headers) exactly once, each partition holds the records in send order
// at contiguous offsets from 0, the producer's acknowledged offsets are where the records are, ListOffsets says
// earliest 0 and latest = the partition's record count, and the delete succeeds. Clients talk through a recording
// proxy (the broker advertises the proxy's port), so the test also sees that the Produce requests really carried a
// batch of every codec the client offers.
// Variants per client:
//   - manual assignment + idempotence off: only Produce/Fetch/ListOffsets/Metadata/Create/DeleteTopics;
//   - the idempotent producer (the default of Java and franz-go; InitProducerId), manual assignment;
//   - the client's defaults: idempotent producer and a consumer group that commits (FindCoordinator, JoinGroup,
//     SyncGroup, Heartbeat, OffsetCommit, OffsetFetch); committed offsets end at the log end;
//   - describe + alter the topic's retention.ms (DescribeConfigs, IncrementalAlterConfigs; KafkaJS: AlterConfigs).
// One broker serves every case; clients run one at a time (2-core machine). librdkafka's LZ4 is a feature probe:
// it compresses with lz4 only when the broker advertises FindCoordinator v0 (rdkafka_feature.c uses
// GroupCoordinator as the proxy for "LZ4 supported"), so the codec check also guards FindCoordinator's minimum.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodeRequest, type MetadataResponse, type ProduceRequest } from '@sluice/protocol';
import {
  CONFIGS_ALTERED_RETENTION_MS,
  type Codec,
  confluentPythonAvailable,
  expectedRecords,
  FRANZ_GO_CODECS,
  franzClientBin,
  JAVA_CODECS,
  KAFKAJS_CODECS,
  kafkaAvailable,
  PLATFORMATIC_CODECS,
  type RecordingProxy,
  runConfluentPythonScenario,
  runFranzGoScenario,
  runJavaScenario,
  runKafkaJsScenario,
  runPlatformaticScenario,
  type ScenarioOptions,
  type ScenarioResult,
  skipUnlessInstalled,
  startRecordingProxy,
} from '@sluice/testkit';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { WireClient } from './support/wire-client.ts';

interface ClientUnderTest {
  /** The test's name for the client (suite and topic names). */
  label: string;
  /** The name the scenario writes into values and headers. */
  name: string;
  codecs: readonly Codec[];
  /** The test's `skip` (skipUnlessInstalled: never skips in CI). */
  skip: string | false;
  run(opts: ScenarioOptions): Promise<ScenarioResult>;
  /** Whether `produced` holds the producer's acknowledged offsets (platformatic's is derived from the read). */
  acksOffsets: boolean;
}

const clients: ClientUnderTest[] = [
  {
    label: 'java-4.4',
    name: 'java',
    codecs: JAVA_CODECS,
    skip: skipUnlessInstalled(kafkaAvailable(), 'kafka-clients (tools/java)'),
    run: runJavaScenario,
    acksOffsets: true,
  },
  {
    label: 'java-3.9',
    name: 'java',
    codecs: JAVA_CODECS,
    skip: skipUnlessInstalled(kafkaAvailable(), 'kafka-clients (tools/java)'),
    run: (o) => runJavaScenario({ ...o, client: 'legacy' }),
    acksOffsets: true,
  },
  {
    label: 'kafkajs',
    name: 'kafkajs',
    codecs: KAFKAJS_CODECS,
    skip: false,
    run: runKafkaJsScenario,
    acksOffsets: true,
  },
  {
    label: 'platformatic',
    name: 'platformatic',
    codecs: PLATFORMATIC_CODECS,
    skip: false,
    run: runPlatformaticScenario,
    acksOffsets: false,
  },
  {
    label: 'franz-go',
    name: 'franz-go',
    codecs: FRANZ_GO_CODECS,
    skip: skipUnlessInstalled(existsSync(franzClientBin), 'the franz-go client (tools/go)'),
    run: runFranzGoScenario,
    acksOffsets: true,
  },
  {
    label: 'confluent-python',
    name: 'confluent-python',
    codecs: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    skip: skipUnlessInstalled(confluentPythonAvailable(), 'confluent-kafka (tools/python)'),
    run: runConfluentPythonScenario,
    acksOffsets: true,
  },
];

const COUNT = 4;
const CODEC_IDS: Record<Codec, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The API keys of the requests the client sent. */
function sentApis(proxy: RecordingProxy): Set<number> {
  return new Set(proxy.frames.filter((f) => f.direction === 'request').map((f) => f.apiKey));
}

/** The compression codecs (attributes bits 0-2) of every batch in the recorded Produce requests. */
function producedCodecs(proxy: RecordingProxy): Set<number> {
  const seen = new Set<number>();
  for (const f of proxy.frames) {
    if (f.direction !== 'request' || f.apiKey !== 0) continue;
    const decoded = decodeRequest(f.body);
    assert.ok(decoded.ok, 'every Produce request the client sent decodes');
    for (const topic of (decoded.value.body as ProduceRequest).topicData) {
      for (const partition of topic.partitionData) {
        const records = partition.records ?? Buffer.alloc(0);
        for (let pos = 0; pos + 61 <= records.length; pos += 12 + records.readInt32BE(pos + 8)) {
          seen.add(records.readInt16BE(pos + 21) & 7);
        }
      }
    }
  }
  return seen;
}

/** Asserts everything the file header promises about one scenario run. */
function checkRoundTrip(client: ClientUnderTest, r: ScenarioResult): void {
  const want = expectedRecords(client.name, client.codecs, COUNT);
  const order = new Map(want.map((w, i) => [w.key, i]));
  assert.equal(r.consumed.length, want.length, `${client.name} reads back every record exactly once`);
  const byKey = new Map(r.consumed.map((c) => [c.key, c]));
  assert.equal(byKey.size, want.length, 'no record is read twice');
  for (const w of want) {
    const got = byKey.get(w.key);
    assert.ok(got, `record ${w.key} is read back`);
    assert.equal(got.value, w.value, `value of ${w.key} is byte-exact`);
    assert.deepEqual(got.headers, w.headers, `headers of ${w.key} are byte-exact and in order`);
  }
  const partitions = new Map<number, typeof r.consumed>();
  for (const c of r.consumed) partitions.set(c.partition, [...(partitions.get(c.partition) ?? []), c]);
  for (const p of [0, 1, 2]) {
    const list = [...(partitions.get(p) ?? [])].sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      list.map((c) => c.offset),
      list.map((_, i) => i),
      `partition ${p}: contiguous offsets from 0`,
    );
    const sendOrder = list.map((c) => order.get(c.key ?? '') ?? -1);
    assert.deepEqual(
      sendOrder,
      [...sendOrder].sort((a, b) => a - b),
      `partition ${p}: records in send order`,
    );
    assert.deepEqual(r.offsets[String(p)], {
      earliest: 0,
      latest: list.length,
      committed: r.offsets[String(p)]?.committed,
    });
  }
  if (client.acksOffsets) {
    assert.equal(r.produced.length, want.length);
    for (const p of r.produced) {
      const got = byKey.get(p.key);
      assert.deepEqual([got?.partition, got?.offset], [p.partition, p.offset], `${p.key} is where its ack said`);
    }
  }
  assert.equal(r.deleted, true, 'the topic is deleted');
}

describe('client matrix against sluice broker', { timeout: 600_000 }, () => {
  let broker: BrokerProcess;
  let proxy: RecordingProxy;
  let bootstrap: string;
  before(async () => {
    proxy = await startRecordingProxy();
    bootstrap = `127.0.0.1:${proxy.port}`;
    broker = await startBroker({
      set: { 'sluice.shards': '2', 'advertised.listeners': `PLAINTEXT://${bootstrap}` },
    });
    proxy.setTarget('127.0.0.1', broker.port);
  });
  /** The client's DeleteTopics really removed the topic: Metadata says UNKNOWN_TOPIC_OR_PARTITION. */
  async function assertDeleted(topic: string): Promise<void> {
    const c = await WireClient.connect(broker.port);
    try {
      const m = await c.send<MetadataResponse>(3, 12, {
        topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: topic }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      assert.equal(m.topics[0].errorCode, 3, `${topic} is gone after the client deleted it`);
    } finally {
      c.close();
    }
  }
  after(async () => {
    await proxy?.close();
    await broker?.dispose();
  });

  for (const client of clients) {
    describe(client.label, { skip: client.skip }, () => {
      test('manual assignment, idempotence off: every codec round-trips byte-exact in order', async () => {
        proxy.clear();
        const r = await client.run({
          bootstrap,
          topic: `plain-${client.label}`,
          count: COUNT,
          assign: true,
          idempotent: false,
          timeoutMs: 90_000,
        });
        checkRoundTrip(client, r);
        await assertDeleted(r.topic);
        const apis = sentApis(proxy);
        assert.ok(!apis.has(22) && !apis.has(11), 'no InitProducerId, no JoinGroup: the variant needs neither');
        assert.deepEqual(
          [...producedCodecs(proxy)].sort(),
          client.codecs.map((c) => CODEC_IDS[c]).sort(),
          `${client.name} sent batches of every codec it offers`,
        );
      });

      test('the idempotent producer (InitProducerId) round-trips every codec', async () => {
        proxy.clear();
        const r = await client.run({
          bootstrap,
          topic: `idempotent-${client.label}`,
          count: COUNT,
          assign: true,
          timeoutMs: 90_000,
        });
        checkRoundTrip(client, r);
        await assertDeleted(r.topic);
        assert.ok(sentApis(proxy).has(22), 'the producer asked for a producer id');
      });

      test("the client's defaults with a consumer group that commits", async () => {
        proxy.clear();
        const r = await client.run({ bootstrap, topic: `group-${client.label}`, count: COUNT, timeoutMs: 90_000 });
        checkRoundTrip(client, r);
        await assertDeleted(r.topic);
        for (const p of [0, 1, 2]) {
          assert.equal(
            r.offsets[String(p)].committed,
            r.offsets[String(p)].latest,
            `partition ${p} committed to its end`,
          );
        }
        const apis = sentApis(proxy);
        for (const [key, name] of [
          [10, 'FindCoordinator'],
          [11, 'JoinGroup'],
          [14, 'SyncGroup'],
          [8, 'OffsetCommit'],
        ] as const) {
          assert.ok(apis.has(key), `the consumer sent ${name}`);
        }
      });

      test('describes and alters the topic config retention.ms', async () => {
        const r = await client.run({
          bootstrap,
          topic: `configs-${client.label}`,
          codecs: ['none'],
          count: 1,
          assign: true,
          idempotent: false,
          configs: true,
          timeoutMs: 90_000,
        });
        assert.deepEqual(r.configs, { before: '604800000', after: CONFIGS_ALTERED_RETENTION_MS });
      });
    });
  }
});
