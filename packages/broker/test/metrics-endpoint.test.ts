// The Prometheus endpoint (sluice.metrics.listener) of a real `sluice broker` process: the text parses under a strict
// exposition-format parser, and the counters move by exactly what this test sent (bytes and records produced,
// bytes fetched, requests per API), the log size equals the stored batches, the group lag equals highWatermark minus
// the committed offset, and a parked long-poll Fetch shows in the Fetch purgatory size.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildRecordBatch, type FetchResponse, type ProduceResponse } from '@sluice/protocol';
import { type BrokerProcess, freePort, startBroker } from './support/broker-process.ts';
import { createTopic } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Prometheus text format 0.0.4, strictly: every sample belongs to the family of the last # TYPE line (name, or
 * name_bucket/_sum/_count for histograms), label values are quoted with \\, \" and \n escapes only, values are
 * floats or +Inf/-Inf/NaN, no family is declared twice, histogram buckets are cumulative and end with le="+Inf".
 */
function parsePrometheus(text: string): Sample[] {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const samples: Sample[] = [];
  const families = new Set<string>();
  let family: { name: string; type: string } | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      assert.ok(m !== null, `bad comment line: ${line}`);
      if (m[1] === 'TYPE') {
        assert.match(m[3], /^(counter|gauge|histogram|summary|untyped)$/, line);
        assert.ok(!families.has(m[2]), `family ${m[2]} declared twice`);
        families.add(m[2]);
        family = { name: m[2], type: m[3] };
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m !== null, `bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3] !== undefined && m[3] !== '') {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
      let pos = 0;
      while (pos < m[3].length) {
        re.lastIndex = pos;
        const l = re.exec(m[3]);
        assert.ok(l !== null, `bad labels: ${line}`);
        assert.ok(!(l[1] in labels), `label ${l[1]} twice: ${line}`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        pos = re.lastIndex;
      }
    }
    assert.match(m[4], /^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]Inf|NaN)$/, `bad value: ${line}`);
    assert.ok(family !== null, `sample before any # TYPE: ${line}`);
    const allowed =
      family.type === 'histogram'
        ? [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`]
        : [family.name];
    assert.ok(allowed.includes(m[1]), `${m[1]} outside its family ${family.name}`);
    const value =
      m[4] === '+Inf' ? Number.POSITIVE_INFINITY : m[4] === '-Inf' ? Number.NEGATIVE_INFINITY : Number(m[4]);
    samples.push({ name: m[1], labels, value });
  }
  // Histogram buckets: cumulative per label set, ending with +Inf equal to _count.
  const series = new Map<string, number[]>();
  for (const s of samples.filter((x) => x.name.endsWith('_bucket'))) {
    const { le, ...rest } = s.labels;
    assert.ok(le !== undefined, `bucket without le: ${s.name}`);
    const key = `${s.name}${JSON.stringify(rest)}`;
    const list = series.get(key) ?? [];
    list.push(s.value);
    series.set(key, list);
    if (le === '+Inf') {
      const count = samples.find(
        (x) => x.name === s.name.replace(/_bucket$/, '_count') && JSON.stringify(x.labels) === JSON.stringify(rest),
      );
      assert.equal(count?.value, s.value, `${key}: +Inf bucket equals _count`);
    }
  }
  for (const [key, values] of series) {
    for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `${key}: buckets cumulative`);
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((n, s) => n + s.value, 0);
}

describe('metrics endpoint of sluice broker', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  let metricsPort: number;
  const scrape = async (): Promise<Sample[]> => {
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await r.text());
  };

  before(async () => {
    metricsPort = await freePort();
    broker = await startBroker({
      set: { 'sluice.shards': '2', 'sluice.metrics.listener': `http://127.0.0.1:${metricsPort}` },
    });
  });
  after(async () => {
    const exit = await broker?.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `clean stop; stderr: ${broker?.stderr().slice(-2000)}`);
    await broker?.dispose();
  });

  test('logs JSON lines on stderr (not a terminal), the endpoint address among them', () => {
    const lines = broker
      .stderr()
      .split('\n')
      .filter((l) => l !== '');
    assert.ok(lines.length > 0);
    const entries = lines.map((l) => JSON.parse(l) as { level: number; time: number; msg: string });
    for (const e of entries) {
      assert.equal(typeof e.level, 'number');
      assert.equal(typeof e.msg, 'string');
    }
    assert.ok(entries.some((e) => e.msg === `metrics on http://127.0.0.1:${metricsPort}/metrics` && e.level === 30));
  });

  test('answers 404 off /metrics', async () => {
    const r = await fetch(`http://127.0.0.1:${metricsPort}/other`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(r.status, 404);
    await r.text();
  });

  test('counters move by exactly the bytes, records and requests sent; lag is highWatermark - committed', async () => {
    const client = await WireClient.connect(broker.port);
    try {
      const before = await scrape();
      await createTopic(client, 'metered', 2);
      const batches = [
        buildRecordBatch({
          baseTimestamp: Date.now(),
          records: Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.alloc(100 + i, i) })),
        }),
        buildRecordBatch({
          baseTimestamp: Date.now(),
          records: Array.from({ length: 3 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(7, i) })),
        }),
      ];
      for (const [partition, records] of batches.entries()) {
        const r = await client.send<ProduceResponse>(0, 7, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30_000,
          topicData: [{ name: 'metered', partitionData: [{ index: partition, records }] }],
        });
        assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
      }
      const fetched = await client.send<FetchResponse>(1, 11, {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'metered',
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            partitions: [0, 1].map((partition) => ({
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: 0n,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1024 * 1024,
              replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
            })),
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const fetchedBytes = fetched.responses[0].partitions.reduce((n, p) => n + (p.records?.length ?? 0), 0);
      assert.equal(fetchedBytes, batches[0].length + batches[1].length, 'the fetch returned both batches whole');
      const commit = await client.send<{ topics: Array<{ partitions: Array<{ errorCode: number }> }> }>(8, 7, {
        groupId: 'lagging',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: 'metered',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 2n,
                committedLeaderEpoch: -1,
                commitTimestamp: -1n,
                committedMetadata: '',
              },
              {
                partitionIndex: 1,
                committedOffset: 1n,
                committedLeaderEpoch: -1,
                commitTimestamp: -1n,
                committedMetadata: '',
              },
            ],
          },
        ],
      });
      assert.deepEqual(
        commit.topics[0].partitions.map((p) => p.errorCode),
        [0, 0],
      );

      const now = await scrape();
      const delta = (name: string, labels: Record<string, string> = {}) =>
        value(now, name, labels) - value(before, name, labels);
      const topic = { topic: 'metered' };
      assert.equal(delta('sluice_broker_topic_bytes_in_total', topic), batches[0].length + batches[1].length);
      assert.equal(delta('sluice_broker_topic_messages_in_total', topic), 8);
      assert.equal(delta('sluice_broker_topic_bytes_out_total', topic), fetchedBytes);
      for (const [request, sent] of [
        ['CreateTopics', 1],
        ['Produce', 2],
        ['Fetch', 1],
        ['OffsetCommit', 1],
      ] as const) {
        assert.equal(delta('sluice_request_total', { request }), sent, `${request} requests`);
        assert.equal(delta('sluice_request_duration_seconds_count', { request }), sent, `${request} latencies`);
      }
      // Stored as received: the log of each partition is exactly its one batch.
      assert.equal(value(now, 'sluice_log_size_bytes', { topic: 'metered', partition: '0' }), batches[0].length);
      assert.equal(value(now, 'sluice_log_size_bytes', { topic: 'metered', partition: '1' }), batches[1].length);
      assert.equal(value(now, 'sluice_log_end_offset', { topic: 'metered', partition: '0' }), 5);
      assert.equal(value(now, 'sluice_consumer_group_lag', { group: 'lagging', topic: 'metered', partition: '0' }), 3);
      assert.equal(value(now, 'sluice_consumer_group_lag', { group: 'lagging', topic: 'metered', partition: '1' }), 2);
      assert.equal(
        value(now, 'sluice_consumer_group_committed_offset', { group: 'lagging', topic: 'metered', partition: '0' }),
        2,
      );
      // 2 partitions of `metered` + the 50 of __consumer_offsets the commit created.
      assert.equal(value(now, 'sluice_partition_count'), 52);
      assert.equal(value(now, 'sluice_active_connections'), 1);
      assert.equal(value(now, 'sluice_under_replicated_partitions'), 0);
      assert.equal(value(now, 'sluice_offline_partitions_count'), 0);
      // acks=-1 produces and the commit were answered after an fdatasync: at least one flush was timed.
      assert.ok(delta('sluice_log_flush_duration_seconds_count') >= 1, 'flushes timed');
      assert.ok(delta('sluice_log_flush_fdatasyncs_total') >= 1, 'fdatasyncs counted');
    } finally {
      client.close();
    }
  });

  test('a long-poll Fetch shows in the Fetch purgatory until data arrives', async () => {
    const client = await WireClient.connect(broker.port);
    const producer = await WireClient.connect(broker.port);
    try {
      await createTopic(client, 'parked', 1);
      const poll = client.send<FetchResponse>(1, 11, {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: 30_000,
        minBytes: 1,
        maxBytes: 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'parked',
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: 1024 * 1024,
                replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      let parked = 0;
      for (let i = 0; i < 100 && parked === 0; i++) {
        parked = value(await scrape(), 'sluice_purgatory_size', { delayed_operation: 'Fetch' });
        if (parked === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(parked, 1, 'the long poll is parked');
      const records = buildRecordBatch({
        baseTimestamp: Date.now(),
        records: [{ key: null, value: Buffer.from('x') }],
      });
      await producer.send<ProduceResponse>(0, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: 'parked', partitionData: [{ index: 0, records }] }],
      });
      const r = await poll;
      assert.equal(r.responses[0].partitions[0].records?.length, records.length);
      assert.equal(value(await scrape(), 'sluice_purgatory_size', { delayed_operation: 'Fetch' }), 0);
    } finally {
      client.close();
      producer.close();
    }
  });
});
