// DescribeConfigs / AlterConfigs / IncrementalAlterConfigs against the broker as a real process: Kafka's sources and
// synonyms, topic settings that take effect on the running logs, and overrides and dynamic broker configs that
// survive a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildRecordBatch, type ProduceResponse } from '@sluice/protocol';
import {
  APPEND,
  alterConfigs,
  BROKER,
  configMap,
  createTopicWith,
  DELETE,
  describeConfigs,
  incrementalAlter,
  listOffset,
  SET,
  TOPIC,
} from './support/admin-requests.ts';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { produce } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

// ConfigSource ids (DescribeConfigsResponse).
const TOPIC_CONFIG = 1;
const DYNAMIC_BROKER_CONFIG = 2;
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
const DEFAULT_CONFIG = 5;

describe('admin configs', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  let c: WireClient;

  before(async () => {
    // Retention checked every 200 ms so a lowered retention.ms shows within the test's bounded wait.
    broker = await startBroker({ set: { 'log.retention.check.interval.ms': '200', 'node.id': '1' } });
    c = await WireClient.connect(broker.port);
  });

  after(async () => {
    c?.close();
    await broker?.dispose();
  });

  test('describes a topic with its override, defaults, synonyms and documentation', async () => {
    assert.equal((await createTopicWith(c, 'described', 1, { 'retention.ms': '3600000' })).errorCode, 0);
    const r = await describeConfigs(c, TOPIC, 'described');
    assert.equal(r.errorCode, 0);
    const m = configMap(r);
    assert.deepEqual(m.get('retention.ms'), {
      value: '3600000',
      source: TOPIC_CONFIG,
      // Kafka lists broker synonyms only from the first one set (log.retention.ms is not): none here.
      synonyms: [['retention.ms', '3600000', TOPIC_CONFIG]],
    });
    assert.deepEqual(m.get('segment.bytes'), {
      value: '1073741824',
      source: DEFAULT_CONFIG,
      synonyms: [['log.segment.bytes', '1073741824', DEFAULT_CONFIG]],
    });
    const cleanup = r.configs.find((e) => e.name === 'cleanup.policy');
    assert.ok(cleanup?.documentation && cleanup.documentation.length > 0);
    assert.equal(cleanup?.configType, 7); // LIST
    assert.equal(cleanup?.readOnly, false);

    const only = await describeConfigs(c, TOPIC, 'described', ['retention.ms', 'no.such.config']);
    assert.deepEqual(
      only.configs.map((e) => e.name),
      ['retention.ms'],
    );
    const v0 = await describeConfigs(c, TOPIC, 'described', ['retention.ms', 'segment.bytes'], 0);
    assert.deepEqual(
      v0.configs.map((e) => [e.name, e.isDefault, e.synonyms.length]),
      [
        ['retention.ms', false, 0],
        ['segment.bytes', true, 0],
      ],
    );
    assert.equal((await describeConfigs(c, TOPIC, 'no-such-topic')).errorCode, 3);
    assert.equal((await describeConfigs(c, BROKER, '7')).errorCode, 42);
    const b = await describeConfigs(c, BROKER, '1', ['log.retention.ms', 'node.id']);
    assert.deepEqual(
      b.configs.map((e) => [e.name, e.readOnly]),
      [
        ['log.retention.ms', false],
        ['node.id', true],
      ],
    );
  });

  test('a lowered max.message.bytes refuses a bigger batch at once, and both alter APIs edit overrides', async () => {
    assert.equal((await createTopicWith(c, 'sized', 1)).errorCode, 0);
    const big = Buffer.alloc(4000, 7);
    assert.equal((await produce(c, 'sized', 0, [big])).responses[0].partitionResponses[0].errorCode, 0);

    assert.equal((await incrementalAlter(c, TOPIC, 'sized', [['max.message.bytes', SET, '2000']])).errorCode, 0);
    assert.equal((await produce(c, 'sized', 0, [big])).responses[0].partitionResponses[0].errorCode, 10);
    assert.equal((await produce(c, 'sized', 0, [Buffer.alloc(100)])).responses[0].partitionResponses[0].errorCode, 0);

    // validateOnly and invalid requests change nothing.
    assert.equal((await incrementalAlter(c, TOPIC, 'sized', [['max.message.bytes', DELETE, null]], true)).errorCode, 0);
    const bad = await incrementalAlter(c, TOPIC, 'sized', [['retention.ms', SET, 'soon']]);
    assert.equal(bad.errorCode, 40);
    assert.match(bad.errorMessage ?? '', /Invalid value soon for configuration retention.ms/);
    assert.equal((await incrementalAlter(c, TOPIC, 'sized', [['no.such.config', SET, '1']])).errorCode, 40);
    assert.equal((await incrementalAlter(c, TOPIC, 'sized', [['retention.ms', APPEND, '1']])).errorCode, 40);
    assert.equal(configMap(await describeConfigs(c, TOPIC, 'sized')).get('max.message.bytes')?.value, '2000');

    // APPEND on a list; AlterConfigs then replaces every override (max.message.bytes goes back to the default).
    assert.equal((await incrementalAlter(c, TOPIC, 'sized', [['cleanup.policy', APPEND, 'compact']])).errorCode, 0);
    assert.equal(configMap(await describeConfigs(c, TOPIC, 'sized')).get('cleanup.policy')?.value, 'delete,compact');
    assert.equal((await alterConfigs(c, TOPIC, 'sized', { 'retention.bytes': '1048576' })).errorCode, 0);
    const m = configMap(await describeConfigs(c, TOPIC, 'sized'));
    assert.deepEqual(
      [m.get('max.message.bytes')?.source, m.get('cleanup.policy')?.value, m.get('retention.bytes')?.source],
      [DEFAULT_CONFIG, 'delete', TOPIC_CONFIG],
    );
    assert.equal((await produce(c, 'sized', 0, [big])).responses[0].partitionResponses[0].errorCode, 0);
    assert.equal((await alterConfigs(c, TOPIC, 'nope', { 'retention.ms': '1' })).errorCode, 3);
  });

  test('a small retention.ms set on a running topic deletes its old segments', async () => {
    assert.equal((await createTopicWith(c, 'expiring', 1, { 'segment.ms': '1' })).errorCode, 0);
    for (let i = 0; i < 4; i++) {
      // segment.ms 1: each append after a pause rolls a new segment.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const r = await produce(c, 'expiring', 0, [Buffer.alloc(800, i)]);
      assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
    }
    assert.equal((await listOffset(c, 'expiring', 0, -2)).offset, 0n);
    assert.equal((await incrementalAlter(c, TOPIC, 'expiring', [['retention.ms', SET, '1']])).errorCode, 0);
    let earliest = 0n;
    for (let i = 0; i < 100 && earliest === 0n; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      earliest = (await listOffset(c, 'expiring', 0, -2)).offset;
    }
    assert.ok(earliest > 0n, 'the logStartOffset moved past the expired segments');
  });

  test('dynamic broker configs apply, show their source, and survive a restart with topic overrides', async () => {
    assert.equal((await incrementalAlter(c, BROKER, '1', [['log.retention.ms', SET, '7200000']])).errorCode, 0);
    assert.equal((await incrementalAlter(c, BROKER, '', [['log.cleaner.threads', SET, '2']])).errorCode, 0);
    assert.equal((await incrementalAlter(c, BROKER, '1', [['message.max.bytes', SET, 'many']])).errorCode, 40);
    const before = configMap(await describeConfigs(c, BROKER, '1', ['log.retention.ms', 'log.cleaner.threads']));
    assert.deepEqual(
      [before.get('log.retention.ms')?.source, before.get('log.cleaner.threads')?.source],
      [DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG],
    );
    // A topic without its own retention.ms follows the broker's dynamic one.
    assert.equal((await createTopicWith(c, 'follower', 1)).errorCode, 0);
    const follower = configMap(await describeConfigs(c, TOPIC, 'follower', ['retention.ms']));
    assert.deepEqual(follower.get('retention.ms')?.synonyms[0], ['log.retention.ms', '7200000', DYNAMIC_BROKER_CONFIG]);
    assert.equal((await incrementalAlter(c, TOPIC, 'follower', [['max.message.bytes', SET, '2000']])).errorCode, 0);

    c.close();
    await broker.stop();
    broker = await startBroker({
      dataDir: broker.dataDir,
      set: { 'log.retention.check.interval.ms': '200', 'node.id': '1' },
    });
    c = await WireClient.connect(broker.port);

    const after = configMap(await describeConfigs(c, BROKER, '1', ['log.retention.ms', 'log.cleaner.threads']));
    assert.deepEqual(after, before);
    const cluster = await describeConfigs(c, BROKER, '');
    assert.deepEqual(
      cluster.configs.map((e) => [e.name, e.value]),
      [['log.cleaner.threads', '2']],
    );
    const topic = configMap(await describeConfigs(c, TOPIC, 'follower', ['max.message.bytes', 'retention.ms']));
    assert.deepEqual(
      [topic.get('max.message.bytes')?.source, topic.get('retention.ms')?.value],
      [TOPIC_CONFIG, '7200000'],
    );
    const records = buildRecordBatch({
      baseTimestamp: Date.now(),
      records: [{ key: null, value: Buffer.alloc(4000) }],
    });
    const r = await c.send<ProduceResponse>(0, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 30_000,
      topicData: [{ name: 'follower', partitionData: [{ index: 0, records }] }],
    });
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 10, 'the override is enforced after the restart');
  });
});
