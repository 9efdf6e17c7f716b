import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBrokerConfig } from '../src/broker-config.ts';

const fixture = fileURLToPath(new URL('./fixtures/kafka-4-server.properties', import.meta.url));

function load(overrides: Record<string, string>, env?: Record<string, string>) {
  return loadBrokerConfig({ overrides, env, cpus: 4 });
}

test('defaults serve the README run: PLAINTEXT on 127.0.0.1:9092, ./data, node 1', () => {
  const r = load({});
  assert.ok(r.ok);
  assert.deepEqual(r.config.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
  assert.deepEqual(r.config.logDirs, ['./data']);
  assert.equal(r.config.nodeId, 1);
  assert.equal(r.config.get('sluice.ack.before.fsync'), false);
  assert.equal(r.config.shards, 3);
  assert.deepEqual(r.warnings, []);
});

test("Kafka 4's shipped server.properties loads, warning once per ignored key", () => {
  const r = loadBrokerConfig({ file: fixture, cpus: 4 });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.deepEqual(r.config.listeners, [{ name: 'PLAINTEXT', host: '', port: 9092 }]);
  assert.deepEqual(r.config.advertisedListeners, [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
  assert.deepEqual(r.config.logDirs, ['/tmp/kraft-combined-logs']);
  assert.equal(r.config.get('log.segment.bytes'), 1073741824);
  assert.equal(r.config.logRetentionMs, 168 * 3_600_000);
  const warned = r.warnings.map((w) => w.split(':')[0]).sort();
  assert.deepEqual(warned, [
    'num.recovery.threads.per.data.dir',
    'share.coordinator.state.topic.min.isr',
    'share.coordinator.state.topic.replication.factor',
  ]);
});

test('unknown keys are errors naming each key', () => {
  const r = load({ 'log.segmnet.bytes': '1', 'sluice.shard': '2', 'num.partitions': '3' });
  assert.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  assert.equal(errors.length, 2);
  assert.match(errors[0], /^log\.segmnet\.bytes: unknown broker config/);
  assert.match(errors[1], /^sluice\.shard: unknown broker config/);
});

test("invalid values are reported with the key and Kafka's reason", () => {
  const r = load({
    'log.segment.bytes': '1000',
    'num.partitions': 'two',
    'auto.create.topics.enable': 'yes',
    'log.cleanup.policy': 'delete,compacted',
    'log.message.timestamp.type': 'createtime',
    'num.io.threads': '99999999999',
  });
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.replace(/ \(--set\)$/, '')), [
    'Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576',
    'Invalid value two for configuration num.partitions: Not a number of type INT',
    'Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false',
    'Invalid value compacted for configuration log.cleanup.policy: String must be one of: compact, delete',
    'Invalid value createtime for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
    'Invalid value 99999999999 for configuration num.io.threads: Not a number of type INT',
  ]);
});

test('retention derives from ms, else minutes, else hours; negative means unlimited', () => {
  const ms = (o: Record<string, string>) => {
    const r = load(o);
    assert.ok(r.ok);
    return r.config.logRetentionMs;
  };
  assert.equal(ms({}), 604_800_000);
  assert.equal(ms({ 'log.retention.hours': '1' }), 3_600_000);
  assert.equal(ms({ 'log.retention.hours': '1', 'log.retention.minutes': '5' }), 300_000);
  assert.equal(ms({ 'log.retention.minutes': '5', 'log.retention.ms': '1234' }), 1234);
  assert.equal(ms({ 'log.retention.ms': '-7' }), -1);
});

test('log.dirs falls back to log.dir, and log.roll.ms to log.roll.hours', () => {
  const r = load({ 'log.dir': '/a,/b', 'log.roll.hours': '2' });
  assert.ok(r.ok);
  assert.deepEqual(r.config.logDirs, ['/a', '/b']);
  assert.equal(r.config.logRollMs, 7_200_000);
});

test('broker.id alone sets the node id; node.id and broker.id that differ are an error', () => {
  const one = load({ 'broker.id': '7' });
  assert.ok(one.ok);
  assert.equal(one.config.nodeId, 7);
  const both = load({ 'broker.id': '7', 'node.id': '8' });
  assert.equal(both.ok, false);
  assert.match(both.ok ? '' : both.errors[0], /^broker\.id: If both node\.id and broker\.id are set/);
});

test('a listener without a security protocol, or unparsable, is an error naming the key', () => {
  const r = load({ listeners: 'INTERNAL://:9093' });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors[0], /^listeners: No security protocol defined for listener INTERNAL/);
  const bad = load({ listeners: 'PLAINTEXT:9092' });
  assert.match(bad.ok ? '' : bad.errors[0], /configuration listeners: Unable to parse PLAINTEXT:9092/);
});

test('--set overrides beat the environment, which beats the file', () => {
  const r = loadBrokerConfig({
    file: fixture,
    env: {
      KAFKA_NUM_PARTITIONS: '4',
      SLUICE_SHARDS: '2',
      KAFKA_HEAP_OPTS: '-Xmx1G',
      KAFKA_LOG_SEGMENT_BYTES: '2097152',
    },
    overrides: { 'num.partitions': '6' },
    cpus: 4,
  });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.equal(r.config.get('num.partitions'), 6);
  assert.equal(r.config.get('log.segment.bytes'), 2097152);
  assert.equal(r.config.shards, 2);
});

test('environment variables that name no broker config are ignored with a warning, not refused', () => {
  const r = loadBrokerConfig({
    env: { SLUICE_NATIVE: '0', KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092', KAFKA_NUM_PARTITIONS: '5' },
    overrides: {},
  });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.equal(r.config.get('num.partitions'), 5);
  // SLUICE_NATIVE is the process's own switch (native addon or JavaScript twins): not a config, not worth a warning.
  assert.ok(!r.warnings.some((w) => w.startsWith('sluice.native')));
  assert.ok(r.warnings.some((w) => w.startsWith('bootstrap.servers:')));
  // The same key named on the command line is still an error, by name.
  const bad = loadBrokerConfig({ overrides: { 'bootstrap.servers': 'x' } });
  assert.match(bad.ok ? '' : bad.errors[0], /^bootstrap\.servers: unknown broker config/);
});

test('dynamic updates apply to dynamic keys only and refuse read-only ones by name', () => {
  const r = load({ 'log.retention.hours': '10' });
  assert.ok(r.ok);
  const refused = r.config.withDynamic({ clusterDefault: { 'num.partitions': '3', listeners: 'PLAINTEXT://:1' } });
  assert.equal(refused.ok, false);
  assert.deepEqual(refused.ok ? [] : refused.errors, [
    'Cannot update these configs dynamically: Set(num.partitions)',
    'Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)',
  ]);
  const next = r.config.withDynamic({ clusterDefault: { 'log.retention.ms': '5000' } });
  assert.ok(next.ok);
  assert.equal(next.config.logRetentionMs, 5000);
  const [entry] = next.config.describe({ perBroker: true, names: ['log.retention.hours'] });
  assert.equal(entry.value, '10');
  assert.equal(entry.source, 'STATIC_BROKER_CONFIG');
  assert.equal(entry.readOnly, true);
  assert.deepEqual(entry.synonyms, [
    { name: 'log.retention.hours', value: '10', source: 'STATIC_BROKER_CONFIG' },
    { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
  ]);
});
