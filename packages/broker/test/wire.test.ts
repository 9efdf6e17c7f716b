// The broker's connection contract on the wire, with a raw client: responses in request order under pipelining
// (even when a long poll finishes after later requests), acks=0 answered with nothing, and bad input closing only
// the offending connection while the broker and every other connection keep working.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ApiVersionsResponse,
  DeleteTopicsResponse,
  FetchResponse,
  MetadataResponse,
  ProduceResponse,
} from '@sluice/protocol';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { createTopic, fetchBody, produce } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const API_VERSIONS_V3 = { clientSoftwareName: 'sluice-test', clientSoftwareVersion: '1' };

function waitingFetchBody(topic: string, partition: number, offset: number, maxWaitMs: number) {
  return fetchBody(topic, partition, BigInt(offset), { maxWaitMs, minBytes: 1 });
}

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

async function closesWithin(client: WireClient, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    client.closed.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return closed;
}

describe('connections', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ set: { 'sluice.shards': '2', 'socket.request.max.bytes': String(8 * 1024 * 1024) } });
    const c = await WireClient.connect(broker.port);
    await createTopic(c, 'pipe', 4);
    c.close();
  });
  after(async () => {
    await broker?.dispose();
  });

  test('answers pipelined requests in request order, a long poll holding back the later answers', async () => {
    const c = await WireClient.connect(broker.port);
    try {
      // Partition 3 is empty: this Fetch waits in the purgatory until partition 3 gets data.
      const longPoll = c.send<FetchResponse>(1, 11, waitingFetchBody('pipe', 3, 0, 5_000));
      const quick = [
        c.send<ApiVersionsResponse>(18, 3, API_VERSIONS_V3),
        c.send<MetadataResponse>(3, 12, {
          topics: null,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        }),
      ];
      const produces: Array<Promise<ProduceResponse>> = [];
      for (let i = 0; i < 200; i++) {
        const partition = i % 3;
        if (i % 10 === 5) void produce(c, 'pipe', partition, [Buffer.from(`zero-${i}`)], 0);
        else produces.push(produce(c, 'pipe', partition, [Buffer.from(`m-${i}`)], i % 2 === 0 ? -1 : 1));
      }
      // Now wake the long poll: its answer must still come before every answer above.
      const wake = await WireClient.connect(broker.port);
      await produce(wake, 'pipe', 3, [Buffer.from('wake')]);
      wake.close();
      const fetched = await longPoll;
      assert.equal(fetched.responses[0].partitions[0].highWatermark, 1n);
      await Promise.all(quick);
      const answers = await Promise.all(produces);
      assert.deepEqual(
        c.arrived,
        [...c.arrived].sort((a, b) => a - b),
        'correlation ids arrive ascending',
      );
      assert.equal(c.arrived.length, 3 + produces.length, 'acks=0 produces got no response');
      // Each partition's offsets follow the order its produces were sent in.
      const last = new Map<number, bigint>();
      for (const a of answers) {
        const p = a.responses[0].partitionResponses[0];
        assert.equal(p.errorCode, 0);
        assert.ok(p.baseOffset > (last.get(p.index) ?? -1n), `partition ${p.index}: offsets ascend in send order`);
        last.set(p.index, p.baseOffset);
      }
    } finally {
      c.close();
    }
  });

  test('a client pipelining 64 MiB of produces is served whole and in order, and others are served meanwhile', async () => {
    const heavy = await WireClient.connect(broker.port);
    const other = await WireClient.connect(broker.port);
    try {
      const value = Buffer.alloc(32 * 1024, 7);
      // 2,048 requests x 32 KiB, written at once: far past the in-flight limit, so the broker must stop reading
      // this socket and resume it as answers leave.
      const answers = Array.from({ length: 2048 }, (_, i) => produce(heavy, 'pipe', i % 3, [value], 1));
      const v = await other.send<ApiVersionsResponse>(18, 3, API_VERSIONS_V3);
      assert.equal(v.errorCode, 0, 'another connection is answered while the heavy one is backed up');
      const done = await Promise.all(answers);
      assert.ok(done.every((a) => a.responses[0].partitionResponses[0].errorCode === 0));
      assert.deepEqual(
        heavy.arrived,
        [...heavy.arrived].sort((a, b) => a - b),
      );
    } finally {
      heavy.close();
      other.close();
    }
  });

  test('Fetch v17 names topics by ID; an unknown topic ID gets UNKNOWN_TOPIC_ID', async () => {
    const c = await WireClient.connect(broker.port);
    try {
      await produce(c, 'pipe', 2, [Buffer.from('by-id')]);
      const m = await c.send<MetadataResponse>(3, 12, {
        topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'pipe' }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      const topicId = m.topics[0].topicId;
      assert.notEqual(topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
      const body = waitingFetchBody('', 2, 0, 0);
      body.topics[0].topicId = topicId;
      const known = await c.send<FetchResponse>(1, 17, body);
      assert.equal(known.responses[0].topicId, topicId);
      const p = known.responses[0].partitions[0];
      assert.equal(p.errorCode, 0);
      assert.ok((p.records?.length ?? 0) > 0, 'records returned');
      body.topics[0].topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
      const unknown = await c.send<FetchResponse>(1, 17, body);
      assert.equal(unknown.responses[0].partitions[0].errorCode, 100);
    } finally {
      c.close();
    }
  });

  test('a deleted topic can be created again: new topic ID, empty log', async () => {
    const c = await WireClient.connect(broker.port);
    try {
      await createTopic(c, 'again', 1);
      await produce(c, 'again', 0, [Buffer.from('old')]);
      const meta = () =>
        c.send<MetadataResponse>(3, 12, {
          topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'again' }],
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        });
      const before = (await meta()).topics[0].topicId;
      const del = await c.send<DeleteTopicsResponse>(20, 4, { topics: [], topicNames: ['again'], timeoutMs: 10_000 });
      assert.equal(del.responses[0].errorCode, 0);
      assert.equal((await meta()).topics[0].errorCode, 3, 'gone: UNKNOWN_TOPIC_OR_PARTITION');
      await createTopic(c, 'again', 1);
      const after = (await meta()).topics[0].topicId;
      assert.notEqual(after, before);
      const r = await produce(c, 'again', 0, [Buffer.from('new')]);
      assert.equal(r.responses[0].partitionResponses[0].baseOffset, 0n, 'the new log starts empty');
    } finally {
      c.close();
    }
  });

  test('bad input closes only its own connection; the broker and other connections keep working', async () => {
    const healthy = await WireClient.connect(broker.port);
    const cases: Array<[string, Buffer]> = [
      ['a frame over socket.request.max.bytes', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
      ['a negative frame size', Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])],
      ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
      ['a TLS ClientHello', Buffer.from(`16030100a5010000a10303${'00'.repeat(40)}`, 'hex')],
      ['garbage in a well-sized frame', frame(Buffer.from('a8f3c2d1e0ff0011223344556677', 'hex'))],
      ['a header cut short', frame(Buffer.from([0, 3, 0, 1, 0, 0, 0]))],
      ['a request body cut short', frame(Buffer.from([0, 3, 0, 1, 0, 0, 0, 9, 0, 1, 0x61, 0, 0, 0, 5, 0]))],
      ['an unknown API key', frame(Buffer.from([0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff]))],
      ['an unsupported version', frame(Buffer.from([0, 3, 0, 99, 0, 0, 0, 1, 0xff, 0xff]))],
    ];
    for (const [name, bytes] of cases) {
      const bad = await WireClient.connect(broker.port);
      void bad.raw(bytes);
      assert.equal(await closesWithin(bad, 5_000), true, `${name}: connection closed`);
      const v = await healthy.send<ApiVersionsResponse>(18, 3, API_VERSIONS_V3);
      assert.equal(v.errorCode, 0, `${name}: another connection still served`);
    }
    const fresh = await WireClient.connect(broker.port);
    const m = await fresh.send<MetadataResponse>(3, 1, {
      topics: null,
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.ok(
      m.topics.some((t) => t.name === 'pipe'),
      'new connections work',
    );
    fresh.close();
    healthy.close();
  });

  test("a too-new ApiVersions gets a v0 answer: UNSUPPORTED_VERSION and ApiVersions' own range", async () => {
    const c = await WireClient.connect(broker.port);
    try {
      // ApiVersions v9, header v2: key 18, version 9, correlation id 1, client id "t", empty tag section.
      const reply = await c.raw(frame(Buffer.from([0, 18, 0, 9, 0, 0, 0, 1, 0, 1, 0x74, 0])));
      // correlation id 1, error 35, one entry: key 18, 0..4.
      assert.equal(reply.readInt32BE(0), 1);
      assert.equal(reply.readInt16BE(4), 35);
      assert.equal(reply.readInt32BE(6), 1);
      assert.deepEqual([reply.readInt16BE(10), reply.readInt16BE(12), reply.readInt16BE(14)], [18, 0, 4]);
      const v = await c.send<ApiVersionsResponse>(18, 0, {});
      assert.equal(v.errorCode, 0, 'the connection stays usable');
      assert.ok(
        v.apiKeys.some((k) => k.apiKey === 0 && k.minVersion === 0),
        'Produce advertised from v0',
      );
    } finally {
      c.close();
    }
  });
});
