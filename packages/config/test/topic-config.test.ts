import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BrokerConfig, loadBrokerConfig } from '../src/broker-config.ts';
import {
  AlterConfigOp,
  applyIncrementalAlterOps,
  describeTopicConfig,
  resolveTopicConfig,
  validateTopicConfigs,
} from '../src/topic-config.ts';

function broker(overrides: Record<string, string> = {}): BrokerConfig {
  const r = loadBrokerConfig({ overrides, cpus: 2 });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.config;
}
const retention = (b: BrokerConfig, topic: Record<string, string> = {}) =>
  describeTopicConfig(b, topic, ['retention.ms'])[0];

test('a topic with no overrides inherits Kafka defaults', () => {
  const c = resolveTopicConfig(broker());
  assert.equal(c['segment.bytes'], 1073741824);
  assert.equal(c['retention.ms'], 604800000);
  assert.deepEqual(c['cleanup.policy'], ['delete']);
  assert.equal(c['max.message.bytes'], 1048588);
  assert.equal(c['message.timestamp.type'], 'CreateTime');
  assert.equal(c['flush.messages'], 2 ** 63);
  assert.equal(c.overriddenConfigs.size, 0);
});

test('topic overrides beat broker synonyms, which beat defaults', () => {
  const b = broker({ 'log.segment.bytes': '2097152', 'message.max.bytes': '5000', 'log.roll.hours': '1' });
  const c = resolveTopicConfig(b, { 'max.message.bytes': '100', 'cleanup.policy': 'compact, delete' });
  assert.equal(c['segment.bytes'], 2097152);
  assert.equal(c['max.message.bytes'], 100);
  assert.equal(c['segment.ms'], 3_600_000);
  assert.deepEqual(c['cleanup.policy'], ['compact', 'delete']);
  assert.deepEqual([...c.overriddenConfigs].sort(), ['cleanup.policy', 'max.message.bytes']);
});

test('retention.ms: only log.retention.hours in the file reports DEFAULT_CONFIG with no synonyms, as Kafka does', () => {
  const d = retention(broker({ 'log.retention.hours': '10' }));
  assert.equal(d.value, '36000000');
  assert.equal(d.source, 'DEFAULT_CONFIG');
  assert.deepEqual(d.synonyms, []);
});

test('retention.ms: synonyms list dynamic, then dynamic default, then static, then defaults, ms before hours', () => {
  const b = broker({ 'log.retention.ms': '7000', 'log.retention.minutes': '3', 'log.retention.hours': '10' });
  const withDynamic = b.withDynamic({
    broker: { 'log.retention.ms': '9000' },
    clusterDefault: { 'log.retention.ms': '8000' },
  });
  assert.ok(withDynamic.ok);
  const d = retention(withDynamic.config, { 'retention.ms': '1000' });
  assert.equal(d.value, '1000');
  assert.equal(d.source, 'TOPIC_CONFIG');
  assert.deepEqual(d.synonyms, [
    { name: 'retention.ms', value: '1000', source: 'TOPIC_CONFIG' },
    { name: 'log.retention.ms', value: '9000', source: 'DYNAMIC_BROKER_CONFIG' },
    { name: 'log.retention.ms', value: '8000', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' },
    { name: 'log.retention.ms', value: '7000', source: 'STATIC_BROKER_CONFIG' },
    { name: 'log.retention.minutes', value: '3', source: 'STATIC_BROKER_CONFIG' },
    { name: 'log.retention.hours', value: '10', source: 'STATIC_BROKER_CONFIG' },
    { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
  ]);
  const inherited = retention(withDynamic.config);
  assert.equal(inherited.value, '9000');
  assert.equal(inherited.source, 'DYNAMIC_BROKER_CONFIG');
});

test('retention.ms: minutes beat hours for the value even when both are static', () => {
  const d = retention(broker({ 'log.retention.minutes': '3', 'log.retention.hours': '10' }));
  assert.equal(d.value, '180000');
});

test('segment.bytes reports its static broker synonym and the default', () => {
  const [d] = describeTopicConfig(broker({ 'log.segment.bytes': '2097152' }), {}, ['segment.bytes']);
  assert.equal(d.source, 'STATIC_BROKER_CONFIG');
  assert.equal(d.readOnly, false);
  assert.deepEqual(d.synonyms, [
    { name: 'log.segment.bytes', value: '2097152', source: 'STATIC_BROKER_CONFIG' },
    { name: 'log.segment.bytes', value: '1073741824', source: 'DEFAULT_CONFIG' },
  ]);
});

test("validateTopicConfigs returns Kafka's INVALID_CONFIG messages", () => {
  assert.deepEqual(validateTopicConfigs({ 'retention.ms': '-2', 'segment.bytes': 'x', 'no.such': '1' }), [
    'Invalid value -2 for configuration retention.ms: Value must be at least -1',
    'Invalid value x for configuration segment.bytes: Not a number of type INT',
    'Unknown topic config name: no.such',
  ]);
  assert.deepEqual(validateTopicConfigs({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }), [
    'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)',
  ]);
  assert.deepEqual(validateTopicConfigs({ 'compression.gzip.level': '0' }), [
    'Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1',
  ]);
  assert.deepEqual(validateTopicConfigs({ 'message.format.version': '3.0', 'cleanup.policy': 'compact' }), []);
});

test('APPEND and SUBTRACT on cleanup.policy start from the stored value, else the default', () => {
  const appended = applyIncrementalAlterOps({}, [
    { name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact,delete' },
  ]);
  assert.deepEqual(appended, { ok: true, configs: { 'cleanup.policy': 'delete,compact' } });
  const subtracted = applyIncrementalAlterOps({ 'cleanup.policy': 'delete,compact' }, [
    { name: 'cleanup.policy', op: AlterConfigOp.SUBTRACT, value: 'delete' },
  ]);
  assert.deepEqual(subtracted, { ok: true, configs: { 'cleanup.policy': 'compact' } });
  const emptied = applyIncrementalAlterOps({}, [
    { name: 'cleanup.policy', op: AlterConfigOp.SUBTRACT, value: 'delete' },
  ]);
  assert.deepEqual(emptied, { ok: true, configs: { 'cleanup.policy': '' } });
});

test('SET and DELETE apply in order; APPEND to a non-list config is refused by name', () => {
  const r = applyIncrementalAlterOps({ 'retention.ms': '1' }, [
    { name: 'segment.bytes', op: AlterConfigOp.SET, value: '2097152' },
    { name: 'retention.ms', op: AlterConfigOp.DELETE, value: null },
  ]);
  assert.deepEqual(r, { ok: true, configs: { 'segment.bytes': '2097152' } });
  const refused = applyIncrementalAlterOps({}, [{ name: 'retention.ms', op: AlterConfigOp.APPEND, value: '5' }]);
  assert.deepEqual(refused, { ok: false, error: "Can't APPEND to key retention.ms because its type is not LIST." });
});

test('APPEND to the throttled replicas list, whose default is empty', () => {
  const r = applyIncrementalAlterOps({}, [
    { name: 'leader.replication.throttled.replicas', op: AlterConfigOp.APPEND, value: '0:1' },
    { name: 'leader.replication.throttled.replicas', op: AlterConfigOp.APPEND, value: '1:1,0:1' },
  ]);
  assert.deepEqual(r, { ok: true, configs: { 'leader.replication.throttled.replicas': '0:1,1:1' } });
});
