// Differential tests: the same scripted requests, encoded with @sluice/protocol over raw sockets, go to a real Apache
// Kafka 4.4 single node (@sluice/testkit startKafka) and to a real `sluice broker` process; the decoded responses
// must be equal field by field, after removing only what DELIBERATE_DIFFERENCES names (each with its reason).
// Scenarios: ApiVersions answering a too-new version; Produce base offsets; ListOffsets earliest / latest / by
// timestamp / max timestamp; Metadata shape (partitions, leaders, internal flags, unknown topics with and without
// auto-creation); CreateTopics and DeleteTopics errors; Fetch out of range, a long poll at the log end that returns
// on new data, and a maxBytes smaller than the first batch; Produce errors; DeleteRecords; DescribeConfigs;
// FindCoordinator and the internal __consumer_offsets. The allow-lists live in support/differential-allow-list.ts.
// One Kafka and one broker serve the whole file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildRecordBatch,
  type CreateTopicsResponse,
  crc32c,
  type DeleteRecordsResponse,
  type DeleteTopicsResponse,
  type DescribeConfigsResponse,
  type FetchResponse,
  type FindCoordinatorResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@sluice/protocol';
import { type KafkaReference, kafkaAvailable, skipUnlessInstalled, startKafka } from '@sluice/testkit';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import {
  CONFIG_SOURCE_DIFFERENCES,
  KNOWN_DIFFERENCES,
  normalize,
  SITUATIONAL_DIFFERENCES,
  SLUICE_API_VERSIONS_MAX,
  WIDER_VERSION_RANGES,
} from './support/differential-allow-list.ts';
import { createBody, fetchBody, listOffsetsBody, metadataBody, produceBody } from './support/differential-requests.ts';
import { WireClient } from './support/wire-client.ts';

interface Side {
  name: 'kafka' | 'sluice';
  port: number;
  client: WireClient;
  nodeId: number;
}

const now = Date.now();
/** Record timestamps: the maximum (base + 100) sits in the middle batch, not the last. */
const BATCHES = [[0, 50], [10, 100, 20], [30]].map((deltas, b) =>
  buildRecordBatch({
    baseTimestamp: now - 60_000,
    records: deltas.map((d, i) => ({
      key: Buffer.from(`k${b}-${i}`),
      value: Buffer.from(`value ${b}-${i}`),
      timestamp: now - 60_000 + d,
      headers: [{ key: 'h', value: Buffer.from(String(d)) }],
    })),
  }),
);

describe('differential: sluice broker against Apache Kafka 4.4', {
  skip: skipUnlessInstalled(kafkaAvailable(), 'Apache Kafka (tools/java)'),
  timeout: 240_000,
}, () => {
  let kafka: KafkaReference;
  let broker: BrokerProcess;
  const sides: Side[] = [];

  before(async () => {
    // Same defaults on both: 3 partitions for auto-created topics, auto-creation on, __consumer_offsets of one
    // partition (testkit's Kafka default). Started together; if one
    // fails the other is still assigned, so after() stops it.
    const [k, b] = await Promise.allSettled([
      startKafka(),
      startBroker({
        set: { 'num.partitions': '3', 'auto.create.topics.enable': 'true', 'offsets.topic.num.partitions': '1' },
      }),
    ]);
    if (k.status === 'fulfilled') kafka = k.value;
    if (b.status === 'fulfilled') broker = b.value;
    if (k.status === 'rejected') throw k.reason;
    if (b.status === 'rejected') throw b.reason;
    for (const [name, port] of [
      ['kafka', kafka.port],
      ['sluice', broker.port],
    ] as const) {
      const client = await WireClient.connect(port);
      const m = await client.send<MetadataResponse>(3, 12, metadataBody([], false));
      sides.push({ name, port, client, nodeId: m.brokers[0].nodeId });
    }
  });
  after(async () => {
    for (const s of sides) s.client.close();
    await Promise.all([kafka?.stop(), broker?.dispose()]);
  });

  /** Sends the same request to both brokers; resolves both decoded responses. */
  async function both<T>(apiKey: number, version: number, body: unknown): Promise<{ kafka: T; sluice: T }> {
    const [k, s] = await Promise.all(sides.map((side) => side.client.send<T>(apiKey, version, body)));
    return { kafka: k, sluice: s };
  }

  /**
   * Waits until both brokers lead every partition of a new topic: Kafka answers NOT_LEADER_OR_FOLLOWER until the
   * controller's metadata reaches its broker side (clients retry it); Sluice is ready when CreateTopics answers.
   */
  async function untilLeading(topic: string, partitions: number): Promise<void> {
    const body = {
      ...listOffsetsBody(topic, -1n),
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: -1n,
            maxNumOffsets: 1,
          })),
        },
      ],
    };
    for (let i = 0; i < 100; i++) {
      const r = await both<ListOffsetsResponse>(2, 7, body);
      const codes = [r.kafka, r.sluice].flatMap((x) => x.topics[0].partitions.map((p) => p.errorCode));
      if (codes.every((c) => c === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${topic} has no leader after 10 s`);
  }

  /** Sends the same request to both; asserts the normalized responses are equal; returns them. */
  async function same<T>(what: string, apiKey: number, version: number, body: unknown) {
    const r = await both<T>(apiKey, version, body);
    for (const d of [...SITUATIONAL_DIFFERENCES, ...KNOWN_DIFFERENCES].filter((x) => x.apiKey === apiKey)) {
      d.apply(r.kafka);
      d.apply(r.sluice);
    }
    assert.deepEqual(
      normalize(r.sluice, sides[1].nodeId),
      normalize(r.kafka, sides[0].nodeId),
      `${what}: Sluice answers as Kafka does`,
    );
    return r;
  }

  test('a too-new ApiVersions gets UNSUPPORTED_VERSION as v0 with ApiVersions’ own range', async () => {
    // Header v2 (ApiVersions >= 3 is flexible): key 18, version 99, correlation 4242, client id "probe", no tags;
    // body as v3: compact client software name and version, no tags.
    const header = Buffer.concat([
      Buffer.from([0, 18, 0, 99, 0, 0, 0x10, 0x92]),
      Buffer.from([0, 5]),
      Buffer.from('probe'),
      Buffer.from([0]),
    ]);
    const body = Buffer.concat([
      Buffer.from([6]),
      Buffer.from('probe'),
      Buffer.from([4]),
      Buffer.from('1.0'),
      Buffer.from([0]),
    ]);
    const frame = Buffer.concat([Buffer.alloc(4), header, body]);
    frame.writeInt32BE(frame.length - 4, 0);
    const answers = await Promise.all(
      sides.map(async (side) => {
        const c = await WireClient.connect(side.port);
        try {
          const r = await c.raw(frame);
          // Response header v0 (correlation id), body v0: error_code i16, api_keys [key i16, min i16, max i16].
          const keys = new Map<number, [number, number]>();
          const n = r.readInt32BE(6);
          for (let i = 0; i < n; i++) {
            keys.set(r.readInt16BE(10 + 6 * i), [r.readInt16BE(12 + 6 * i), r.readInt16BE(14 + 6 * i)]);
          }
          return { correlationId: r.readInt32BE(0), errorCode: r.readInt16BE(4), apiVersions: keys.get(18) };
        } finally {
          c.close();
        }
      }),
    );
    assert.deepEqual(answers[0], { correlationId: 4242, errorCode: 35, apiVersions: [0, answers[0].apiVersions?.[1]] });
    assert.deepEqual(answers[1], { correlationId: 4242, errorCode: 35, apiVersions: [0, SLUICE_API_VERSIONS_MAX] });
  });

  test('ApiVersions ranges match Kafka’s for every API both serve, except the named wider ones', async (t) => {
    const r = await both<{ apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }> }>(18, 3, {
      clientSoftwareName: 'sluice-diff',
      clientSoftwareVersion: '1',
    });
    const kafkaRanges = new Map(r.kafka.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    const lowerMin: number[] = [];
    for (const k of r.sluice.apiKeys) {
      const theirs = kafkaRanges.get(k.apiKey);
      assert.ok(theirs, `Kafka serves API ${k.apiKey} too`);
      // Sluice's maxima are those of its protocol schemas (Kafka 3.9-era); Kafka 4.4 may go higher.
      assert.ok(k.maxVersion <= theirs[1], `API ${k.apiKey}: max ${k.maxVersion} <= Kafka's ${theirs[1]}`);
      if (k.minVersion < theirs[0]) lowerMin.push(k.apiKey);
      else assert.equal(k.minVersion, theirs[0], `API ${k.apiKey}: Sluice's min is not above Kafka's`);
    }
    t.diagnostic(`APIs Sluice serves from a lower version than Kafka 4.4: ${lowerMin.join(', ')}`);
    const unnamed = lowerMin.filter((k) => !(k in WIDER_VERSION_RANGES));
    assert.deepEqual(unnamed, [], 'every range wider than Kafka’s is named in WIDER_VERSION_RANGES with its reason');
  });

  test('CreateTopics: success and every error code as Kafka', async () => {
    const r = await same<CreateTopicsResponse>(
      'CreateTopics v7',
      19,
      7,
      createBody([
        { name: 'diff-a', numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
        { name: 'diff-zero-partitions', numPartitions: 0, replicationFactor: 1 },
        { name: 'diff-rf3', numPartitions: 1, replicationFactor: 3 },
        { name: 'diff-rf0', numPartitions: 1, replicationFactor: 0 },
        { name: 'diff-bad-config', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } },
        { name: 'diff-unknown-config', numPartitions: 1, replicationFactor: 1, configs: { 'no.such.config': '1' } },
      ]),
    );
    for (const side of [r.kafka, r.sluice]) {
      const created = side.topics.find((t) => t.name === 'diff-a');
      assert.equal(created?.configs?.find((c) => c.name === 'retention.ms')?.value, '3600000');
      assert.notEqual(created?.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
    }
    await same<CreateTopicsResponse>(
      'CreateTopics of an existing topic',
      19,
      7,
      createBody([{ name: 'diff-a', numPartitions: 3, replicationFactor: 1 }]),
    );
    await untilLeading('diff-a', 3);
  });

  test('Produce assigns the same base offsets; ListOffsets earliest/latest/by timestamp/max timestamp agree', async () => {
    for (const records of BATCHES) {
      await same<ProduceResponse>('Produce v9', 0, 9, produceBody('diff-a', 0, Buffer.from(records)));
    }
    for (const timestamp of [-2n, -1n, -3n, BigInt(now - 60_000 + 40), BigInt(now - 60_000 + 100), BigInt(now)]) {
      const r = await same<ListOffsetsResponse>(
        `ListOffsets v7 timestamp ${timestamp}`,
        2,
        7,
        listOffsetsBody('diff-a', timestamp),
      );
      if (timestamp === -3n) assert.equal(r.kafka.topics[0].partitions[0].offset, 3n, 'max timestamp is offset 3');
    }
  });

  test('Produce errors: unknown topic and partition, bad CRC, bad acks, bad record count, control batch', async () => {
    const corrupt = Buffer.from(BATCHES[0]);
    corrupt[corrupt.length - 3] ^= 0x40;
    const wrongCount = Buffer.from(BATCHES[0]);
    wrongCount.writeInt32BE(5, 57);
    wrongCount.writeUInt32BE(crc32c(wrongCount, 21), 17);
    const control = buildRecordBatch({
      baseTimestamp: now,
      isControl: true,
      records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }],
    });
    const cases: Array<[string, unknown]> = [
      ['unknown topic', produceBody('diff-never-created', 0, Buffer.from(BATCHES[0]))],
      ['unknown partition', produceBody('diff-a', 99, Buffer.from(BATCHES[0]))],
      ['CRC mismatch', produceBody('diff-a', 0, corrupt)],
      ['recordsCount != lastOffsetDelta + 1', produceBody('diff-a', 0, wrongCount)],
      ['control batch from a client', produceBody('diff-a', 0, control)],
      ['acks=2', { ...produceBody('diff-a', 0, Buffer.from(BATCHES[0])), acks: 2 }],
    ];
    for (const [what, body] of cases) await same<ProduceResponse>(`Produce v9, ${what}`, 0, 9, body);
    await same<ListOffsetsResponse>('ListOffsets v7 of partition 99', 2, 7, {
      ...listOffsetsBody('diff-a', -1n),
      topics: [
        {
          name: 'diff-a',
          partitions: [{ partitionIndex: 99, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
        },
      ],
    });
  });

  test('a transactional batch without a transactionalId is TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
    await same<CreateTopicsResponse>(
      'CreateTopics',
      19,
      7,
      createBody([{ name: 'diff-txn', numPartitions: 1, replicationFactor: 1 }]),
    );
    await untilLeading('diff-txn', 1);
    const transactional = buildRecordBatch({
      baseTimestamp: now,
      isTransactional: true,
      producerId: 1000,
      producerEpoch: 0,
      baseSequence: 0,
      records: [{ value: Buffer.from('in a transaction') }],
    });
    await same<ProduceResponse>('Produce v9 transactional', 0, 9, produceBody('diff-txn', 0, transactional));
  });

  test('DeleteRecords moves logStartOffset; a fetch below it is OFFSET_OUT_OF_RANGE', async () => {
    for (const records of BATCHES) {
      await same<ProduceResponse>('Produce v9', 0, 9, produceBody('diff-a', 1, Buffer.from(records)));
    }
    await same<DeleteRecordsResponse>('DeleteRecords v2', 21, 2, {
      topics: [{ name: 'diff-a', partitions: [{ partitionIndex: 1, offset: 2n }] }],
      timeoutMs: 10_000,
    });
    const earliest = await same<ListOffsetsResponse>('ListOffsets earliest', 2, 7, {
      ...listOffsetsBody('diff-a', -2n),
      topics: [
        {
          name: 'diff-a',
          partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2n, maxNumOffsets: 1 }],
        },
      ],
    });
    assert.equal(earliest.kafka.topics[0].partitions[0].offset, 2n);
    const below = await same<FetchResponse>('Fetch v12 below logStartOffset', 1, 12, fetchBody('diff-a', 1, 0n));
    assert.equal(below.sluice.responses[0].partitions[0].errorCode, 1);
    // As Kafka: an errored partition carries -1 offsets; the client finds the log start with ListOffsets.
    assert.equal(below.sluice.responses[0].partitions[0].logStartOffset, -1n);
    await same<FetchResponse>('Fetch v12 at logStartOffset', 1, 12, fetchBody('diff-a', 1, 2n));
  });

  test('Fetch: out of range, maxBytes below the first batch, long poll at the log end', async () => {
    await same<FetchResponse>('Fetch v12 past the end', 1, 12, fetchBody('diff-a', 0, 100n));
    await same<FetchResponse>('Fetch v12 at a negative offset', 1, 12, fetchBody('diff-a', 0, -5n));
    const small = await same<FetchResponse>(
      'Fetch v12 with maxBytes 10',
      1,
      12,
      fetchBody('diff-a', 0, 0n, { maxBytes: 10, partitionMaxBytes: 10 }),
    );
    assert.equal(small.kafka.responses[0].partitions[0].records?.length, BATCHES[0].length, 'the first batch, whole');
    await same<FetchResponse>('Fetch v12 from offset 3', 1, 12, fetchBody('diff-a', 0, 3n));

    // A long poll at the log end of partition 2: it must come back with the batch produced while it waits.
    const polls = sides.map((side) =>
      side.client.send<FetchResponse>(1, 12, fetchBody('diff-a', 2, 0n, { maxWaitMs: 20_000, minBytes: 1 })),
    );
    const producers = await Promise.all(sides.map((side) => WireClient.connect(side.port)));
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await Promise.all(producers.map((p) => p.send(0, 9, produceBody('diff-a', 2, Buffer.from(BATCHES[1])))));
      const [k, s] = await Promise.all(polls);
      for (const r of [k, s]) assert.equal(r.responses[0].partitions[0].records?.length, BATCHES[1].length);
      assert.deepEqual(normalize(s, sides[1].nodeId), normalize(k, sides[0].nodeId), 'long poll answers agree');
    } finally {
      for (const p of producers) p.close();
    }
  });

  test('Metadata: shape of known topics, unknown topics with and without auto-creation', async () => {
    await same<MetadataResponse>('Metadata v12 of a known topic', 3, 12, metadataBody(['diff-a'], false));
    await same<MetadataResponse>('Metadata v12 of an unknown topic', 3, 12, metadataBody(['diff-nope'], false));
    await same<MetadataResponse>('Metadata v12 of an invalid name', 3, 12, metadataBody(['bad/name'], true));
    const auto = await both<MetadataResponse>(3, 12, metadataBody(['diff-auto'], true));
    for (const [name, r] of Object.entries(auto)) {
      // Kafka answers the first request while the creation is in flight; Sluice awaits the creation. Both are
      // what clients expect (they retry LEADER_NOT_AVAILABLE / UNKNOWN_TOPIC_OR_PARTITION).
      assert.ok([0, 3, 5].includes(r.topics[0].errorCode), `${name}: auto-create answer ${r.topics[0].errorCode}`);
    }
    // Once created, both list it the same way.
    let settled: { kafka: MetadataResponse; sluice: MetadataResponse } | undefined;
    for (let i = 0; i < 50; i++) {
      settled = await both<MetadataResponse>(3, 12, metadataBody(['diff-auto'], false));
      if (settled.kafka.topics[0].errorCode === 0 && settled.kafka.topics[0].partitions.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.deepEqual(normalize(settled?.sluice, sides[1].nodeId), normalize(settled?.kafka, sides[0].nodeId));
    const all = await both<MetadataResponse>(3, 12, metadataBody(null, false));
    const names = (r: MetadataResponse) =>
      r.topics
        .filter((t) => !t.isInternal)
        .map((t) => t.name)
        .sort();
    assert.deepEqual(names(all.sluice), names(all.kafka), 'all-topics Metadata lists the same topics');
  });

  test('older versions old clients send: Metadata v0/v1 "all" rules, Fetch v4, ListOffsets v1', async () => {
    const names = (r: MetadataResponse) =>
      r.topics
        .filter((t) => !t.isInternal)
        .map((t) => t.name)
        .sort();
    // v0: an empty list means every topic; v1+: an empty list means none, null means every topic.
    // (v0-3 have no allowAutoTopicCreation field: it is implied true.)
    const v0 = await both<MetadataResponse>(3, 0, metadataBody([], true));
    assert.deepEqual(names(v0.sluice), names(v0.kafka), 'Metadata v0 [] lists every topic');
    assert.ok(names(v0.kafka).includes('diff-a'));
    await same<MetadataResponse>('Metadata v1 []', 3, 1, metadataBody([], true));
    await same<MetadataResponse>('Metadata v4 of diff-a', 3, 4, metadataBody(['diff-a'], false));
    await same<FetchResponse>('Fetch v4 from offset 0', 1, 4, fetchBody('diff-a', 0, 0n));
    await same<FetchResponse>('Fetch v11 from offset 2', 1, 11, fetchBody('diff-a', 0, 2n));
    for (const timestamp of [-2n, -1n]) {
      await same<ListOffsetsResponse>(`ListOffsets v1 ${timestamp}`, 2, 1, listOffsetsBody('diff-a', timestamp));
    }
  });

  test('DescribeConfigs of a topic: values, sources, synonyms and errors as Kafka', async () => {
    const keys = [
      'retention.ms',
      'cleanup.policy',
      'segment.bytes',
      'max.message.bytes',
      'min.insync.replicas',
      'compression.type',
      'message.timestamp.type',
    ];
    const r = await both<DescribeConfigsResponse>(32, 4, {
      resources: [
        { resourceType: 2, resourceName: 'diff-a', configurationKeys: keys },
        { resourceType: 2, resourceName: 'diff-never', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    // "configs" is dropped by normalize() (see DELIBERATE_DIFFERENCES), so the entries are compared here.
    const view = (x: DescribeConfigsResponse) =>
      x.results.map((res) => ({
        errorCode: res.errorCode,
        configs: res.configs
          .map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.name in CONFIG_SOURCE_DIFFERENCES ? 'allowed to differ' : c.configSource,
            isSensitive: c.isSensitive,
            configType: c.configType,
            synonyms:
              c.name in CONFIG_SOURCE_DIFFERENCES
                ? 'allowed to differ'
                : c.synonyms.map((y) => `${y.source}:${y.name}=${y.value}`),
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      }));
    assert.deepEqual(view(r.sluice), view(r.kafka));
  });

  test('FindCoordinator creates __consumer_offsets; Metadata marks it internal on both', async () => {
    const body = { key: 'diff-group', keyType: 0, coordinatorKeys: [] };
    let r: { kafka: FindCoordinatorResponse; sluice: FindCoordinatorResponse } | undefined;
    for (let i = 0; i < 100; i++) {
      // Kafka answers COORDINATOR_NOT_AVAILABLE while it creates __consumer_offsets; clients retry.
      r = await both<FindCoordinatorResponse>(10, 3, body);
      if (r.kafka.errorCode === 0 && r.sluice.errorCode === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(normalize(r?.sluice, sides[1].nodeId), normalize(r?.kafka, sides[0].nodeId));
    await same<MetadataResponse>(
      'Metadata v12 of __consumer_offsets',
      3,
      12,
      metadataBody(['__consumer_offsets'], false),
    );
    const all = await both<MetadataResponse>(3, 12, metadataBody(null, false));
    const internal = (m: MetadataResponse) =>
      m.topics
        .filter((t) => t.isInternal)
        .map((t) => t.name)
        .sort();
    assert.deepEqual(internal(all.sluice), internal(all.kafka), 'the same internal topics, flagged internal');
  });

  test('DeleteTopics: deletes, and an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await same<DeleteTopicsResponse>('DeleteTopics v6', 20, 6, {
      topics: [
        { name: 'diff-auto', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { name: 'diff-never', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      ],
      topicNames: [],
      timeoutMs: 10_000,
    });
    await same<DeleteTopicsResponse>('DeleteTopics v4', 20, 4, {
      topics: [],
      topicNames: ['diff-auto'],
      timeoutMs: 10_000,
    });
  });
});
