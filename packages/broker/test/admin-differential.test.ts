// Differential: one scripted admin scenario (create a topic with configs, describe, alter with both APIs, describe
// again, create partitions, delete records, bad inputs) run against real Kafka 4.x (@sluice/testkit startKafka) and
// against Sluice, on the wire with the same requests; the client-visible results must be equal. Where Sluice
// deliberately differs, KNOWN_DIFFERENCES names the observation and the reason, and the test checks only that the
// observation exists on both sides. Skipped when scripts/setup has not fetched Kafka's jars.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildRecordBatch, type ProduceResponse } from '@sluice/protocol';
import { type KafkaReference, kafkaAvailable, skipUnlessInstalled, startKafka } from '@sluice/testkit';
import {
  APPEND,
  alterConfigs,
  BROKER,
  configMap,
  createPartitions,
  createTopicWith,
  DELETE,
  deleteRecords,
  describeConfigs,
  fetchAt,
  incrementalAlter,
  offsetForLeaderEpoch,
  SET,
  TOPIC,
} from './support/admin-requests.ts';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { WireClient } from './support/wire-client.ts';

/** Observations where Sluice knowingly answers differently, with the reason. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  fetchBelow:
    "Kafka answers a fetch below the logStartOffset with highWatermark and logStartOffset -1; Sluice's Fetch fills in both (the error code, 1, is compared in fetchBelowCode)",
};

/** Topic configs whose value or source differ by design (compared only for presence). */
const CONFIG_DIFFERENCES: Record<string, string> = {
  'min.insync.replicas':
    "Kafka's storage format writes min.insync.replicas as a cluster-default dynamic config (source 3); Sluice has no such record (source 5, same value)",
};

type Observations = Record<string, unknown>;

async function scenario(port: number): Promise<Observations> {
  const c = await WireClient.connect(port);
  const o: Observations = {};
  try {
    const t = 'admin-diff';
    const created = await createTopicWith(c, t, 1, {
      'retention.ms': '3600000',
      'max.message.bytes': '500000',
      'cleanup.policy': 'delete',
    });
    o.create = created.errorCode;
    // Kafka's broker learns of a topic when the controller's record reaches it: poll (bounded) until it describes it.
    let described = await describeConfigs(c, TOPIC, t);
    for (let i = 0; i < 50 && (described.errorCode !== 0 || described.configs.length === 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      described = await describeConfigs(c, TOPIC, t);
    }
    o.describeTopic = configMap(described);

    o.incremental = await incrementalAlter(c, TOPIC, t, [
      ['retention.ms', SET, '7200000'],
      ['max.message.bytes', DELETE, null],
      ['cleanup.policy', APPEND, 'compact'],
    ]);
    const afterIncremental = configMap(await describeConfigs(c, TOPIC, t));
    o.afterIncremental = ['retention.ms', 'max.message.bytes', 'cleanup.policy'].map((k) => [
      k,
      afterIncremental.get(k)?.value,
      afterIncremental.get(k)?.source,
    ]);
    o.validateOnly = (await incrementalAlter(c, TOPIC, t, [['retention.ms', SET, '1']], true)).errorCode;
    o.legacy = (await alterConfigs(c, TOPIC, t, { 'segment.ms': '600000' })).errorCode;
    const afterLegacy = configMap(await describeConfigs(c, TOPIC, t));
    o.afterLegacy = ['retention.ms', 'segment.ms', 'cleanup.policy'].map((k) => [
      k,
      afterLegacy.get(k)?.value,
      afterLegacy.get(k)?.source,
    ]);

    o.grow = (await createPartitions(c, t, 3)).errorCode;
    o.shrink = (await createPartitions(c, t, 2)).errorCode;
    o.same = (await createPartitions(c, t, 3)).errorCode;
    o.growUnknown = (await createPartitions(c, 'admin-diff-missing', 3)).errorCode;
    o.growBadAssignment = (await createPartitions(c, t, 4, { assignments: [[1, 1]] })).errorCode;

    const records = buildRecordBatch({
      baseTimestamp: Date.now(),
      records: [0, 1, 2, 3, 4].map((i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })),
    });
    // The new partition may not be led yet on Kafka's broker (UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER): retry, bounded.
    let producedCode = -1;
    for (let i = 0; i < 50; i++) {
      const produced = await c.send<ProduceResponse>(0, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: t, partitionData: [{ index: 2, records }] }],
      });
      producedCode = produced.responses[0].partitionResponses[0].errorCode;
      if (producedCode !== 3 && producedCode !== 6) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    o.produce = producedCode;
    o.deleteRecords = await deleteRecords(c, t, 2, 2);
    o.deleteBeyond = (await deleteRecords(c, t, 2, 9)).errorCode;
    const below = await fetchAt(c, t, 2, 1);
    o.fetchBelow = [below.errorCode, below.logStartOffset, below.highWatermark];
    o.fetchBelowCode = below.errorCode;
    o.epoch = await offsetForLeaderEpoch(c, t, 2, 0);

    o.invalidValue = (await incrementalAlter(c, TOPIC, t, [['retention.ms', SET, 'abc']])).errorCode;
    o.unknownConfig = (await incrementalAlter(c, TOPIC, t, [['no.such.config', SET, '1']])).errorCode;
    o.appendNotList = (await incrementalAlter(c, TOPIC, t, [['retention.ms', APPEND, '1']])).errorCode;
    o.legacyInvalid = (await alterConfigs(c, TOPIC, t, { 'retention.ms': 'abc' })).errorCode;
    o.describeUnknownTopic = (await describeConfigs(c, TOPIC, 'admin-diff-missing')).errorCode;
    o.alterUnknownTopic = (
      await incrementalAlter(c, TOPIC, 'admin-diff-missing', [['retention.ms', SET, '1']])
    ).errorCode;
    o.describeOtherBroker = (await describeConfigs(c, BROKER, '7')).errorCode;
    const b = configMap(await describeConfigs(c, BROKER, '1', ['log.retention.hours', 'log.segment.bytes']));
    o.describeBroker = [...b.entries()].map(([k, v]) => [k, v.value, v.source]);
    o.brokerDynamic = (await incrementalAlter(c, BROKER, '1', [['log.retention.ms', SET, '7200000']])).errorCode;
    // Kafka applies a broker config once its controller's record reaches the broker: poll, bounded.
    let dyn = configMap(await describeConfigs(c, BROKER, '1', ['log.retention.ms']));
    for (let i = 0; i < 50 && dyn.get('log.retention.ms')?.value !== '7200000'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      dyn = configMap(await describeConfigs(c, BROKER, '1', ['log.retention.ms']));
    }
    o.brokerDynamicDescribed = [dyn.get('log.retention.ms')?.value, dyn.get('log.retention.ms')?.source];
    o.brokerReadOnly = (await incrementalAlter(c, BROKER, '1', [['node.id', SET, '3']])).errorCode;
  } finally {
    c.close();
  }
  return o;
}

describe('admin APIs: Sluice against Kafka', { skip: skipUnlessInstalled(kafkaAvailable(), "Kafka's jars") }, () => {
  let kafka: KafkaReference | undefined;
  let sluice: BrokerProcess | undefined;

  before(async () => {
    [kafka, sluice] = await Promise.all([
      startKafka({ config: { 'auto.create.topics.enable': false } }),
      startBroker({ set: { 'node.id': '1', 'num.partitions': '3', 'auto.create.topics.enable': 'false' } }),
    ]);
  });

  after(async () => {
    await Promise.all([kafka?.stop(), sluice?.dispose()]);
  });

  test('the scripted admin scenario gives the same client-visible results', { timeout: 60_000 }, async () => {
    const expected = await scenario(kafka!.port);
    const actual = await scenario(sluice!.port);

    const kafkaTopic = expected.describeTopic as ReturnType<typeof configMap>;
    const sluiceTopic = actual.describeTopic as ReturnType<typeof configMap>;
    const shared = [...kafkaTopic.keys()].filter((k) => sluiceTopic.has(k) && !(k in CONFIG_DIFFERENCES));
    assert.ok(
      shared.length >= 25,
      `only ${shared.length} topic configs in common (Kafka ${kafkaTopic.size}, Sluice ${sluiceTopic.size})`,
    );
    const pick = (m: ReturnType<typeof configMap>) => shared.map((k) => [k, m.get(k)?.value, m.get(k)?.source]);
    assert.deepEqual(pick(sluiceTopic), pick(kafkaTopic));
    delete expected.describeTopic;
    delete actual.describeTopic;

    for (const key of Object.keys(KNOWN_DIFFERENCES)) {
      assert.ok(key in expected && key in actual, `${key} is observed on both sides`);
      delete expected[key];
      delete actual[key];
    }
    // Error messages are Kafka's where Sluice knows them, but only codes are compared.
    const codesOnly = (o: Observations) =>
      JSON.parse(
        JSON.stringify(o, (k, v) => (k === 'errorMessage' ? undefined : typeof v === 'bigint' ? String(v) : v)),
      );
    assert.deepEqual(codesOnly(actual), codesOnly(expected));
  });
});
