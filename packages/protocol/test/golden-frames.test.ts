// Golden frames: requests real clients sent and responses real Apache Kafka gave (test/fixtures/golden, captured by
// scripts/capture-golden.ts) decode, re-encode to the same bytes, mean what the scenario did, and every truncation
// of them decodes to an error value instead of throwing. Frames whose version is newer than the protocol schemas
// (the Kafka 4.x Java client's Produce v13, Fetch v18, ...) are counted and skipped until the schemas catch up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiMessageByKey } from '../src/generated/api-messages.ts';
import type { ApiVersionsRequest } from '../src/generated/api-versions-request.ts';
import type { ApiVersionsResponse } from '../src/generated/api-versions-response.ts';
import type { MetadataResponse } from '../src/generated/metadata-response.ts';
import type { ProduceRequest } from '../src/generated/produce-request.ts';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../src/header.ts';
import { type GoldenClient, type GoldenPair, loadGoldenClients } from './fixtures/golden/golden-fixtures.ts';

const API_VERSIONS = 18;
const METADATA = 3;
const PRODUCE = 0;
const clients = loadGoldenClients();

function covered(pair: GoldenPair): boolean {
  const api = apiMessageByKey(pair.apiKey);
  return api !== undefined && pair.apiVersion >= api.minVersion && pair.apiVersion <= api.maxVersion;
}

function client(name: string): GoldenClient {
  const found = clients.find((c) => c.client === name);
  assert.ok(found, `no golden frames for ${name}`);
  return found;
}

function firstPair(name: string, apiKey: number): GoldenPair {
  const pair = client(name).pairs.find((p) => p.apiKey === apiKey);
  assert.ok(pair, `${name} has no frames of API ${apiKey}`);
  return pair;
}

function withSizePrefix(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

function requestOf(pair: GoldenPair) {
  const decoded = decodeRequest(pair.request);
  assert.ok(decoded.ok, `${pair.client}/${pair.requestFile}: ${decoded.ok ? '' : decoded.error.message}`);
  return decoded.value;
}

function responseOf(pair: GoldenPair) {
  const decoded = decodeResponse(pair.apiKey, pair.apiVersion, pair.response);
  assert.ok(decoded.ok, `${pair.client}/${pair.responseFile}: ${decoded.ok ? '' : decoded.error.message}`);
  return decoded.value;
}

test('golden frames from the Java client, librdkafka, KafkaJS and franz-go are present', () => {
  for (const name of ['java', 'librdkafka', 'kafkajs', 'franz-go']) {
    const apis = new Set(client(name).pairs.map((p) => p.apiKey));
    // ApiVersions, Metadata, Produce, Fetch, ListOffsets, FindCoordinator, JoinGroup, SyncGroup, OffsetCommit, InitProducerId
    for (const key of [18, 3, 0, 1, 2, 10, 11, 14, 8, 22]) assert.ok(apis.has(key), `${name} lacks API ${key}`);
  }
});

for (const c of clients) {
  test(`${c.client} ${c.clientVersion}: every request decodes and re-encodes to the same bytes`, (t) => {
    let skipped = 0;
    for (const pair of c.pairs) {
      if (!covered(pair)) {
        skipped++;
        continue;
      }
      const req = requestOf(pair);
      assert.equal(req.apiKey, pair.apiKey);
      assert.equal(req.apiVersion, pair.apiVersion);
      const encoded = encodeRequest(
        req.apiKey,
        req.apiVersion,
        req.header.correlationId,
        req.header.clientId,
        req.body,
      );
      assert.deepEqual(encoded, withSizePrefix(pair.request), `${c.client}/${pair.requestFile} re-encodes differently`);
    }
    if (skipped > 0) t.diagnostic(`${skipped} pairs newer than the protocol schemas`);
  });

  test(`${c.client} ${c.clientVersion}: every Kafka ${c.kafkaVersion} response decodes and re-encodes to the same bytes`, () => {
    for (const pair of c.pairs) {
      if (!covered(pair)) continue;
      const res = responseOf(pair);
      const correlationId = pair.request.readInt32BE(4);
      assert.equal(res.correlationId, correlationId);
      const encoded = encodeResponse(pair.apiKey, pair.apiVersion, res.correlationId, res.body);
      assert.deepEqual(
        encoded,
        withSizePrefix(pair.response),
        `${c.client}/${pair.responseFile} re-encodes differently`,
      );
    }
  });

  test(`${c.client} ${c.clientVersion}: every truncated frame decodes to an error value`, () => {
    for (const pair of c.pairs) {
      if (!covered(pair)) continue;
      for (let cut = 0; cut < pair.request.length; cut++) {
        const r = decodeRequest(pair.request.subarray(0, cut));
        assert.equal(r.ok, false, `${c.client}/${pair.requestFile} cut at ${cut} decoded`);
      }
      for (let cut = 0; cut < pair.response.length; cut++) {
        const r = decodeResponse(pair.apiKey, pair.apiVersion, pair.response.subarray(0, cut));
        assert.equal(r.ok, false, `${c.client}/${pair.responseFile} cut at ${cut} decoded`);
      }
    }
  });
}

test("the Java client's ApiVersions request names the client software", () => {
  const body = requestOf(firstPair('java', API_VERSIONS)).body as ApiVersionsRequest;
  assert.equal(body.clientSoftwareName, 'apache-kafka-java');
  assert.equal(body.clientSoftwareVersion, client('java').clientVersion);
});

test("librdkafka's ApiVersions request names librdkafka", () => {
  const body = requestOf(firstPair('librdkafka', API_VERSIONS)).body as ApiVersionsRequest;
  assert.equal(body.clientSoftwareName, 'librdkafka');
});

test("Kafka's ApiVersions response lists Produce, Fetch and ApiVersions itself", () => {
  const body = responseOf(firstPair('java', API_VERSIONS)).body as ApiVersionsResponse;
  assert.equal(body.errorCode, 0);
  const produce = body.apiKeys.find((k) => k.apiKey === PRODUCE);
  assert.ok(produce, 'Produce is not listed');
  assert.ok(produce.maxVersion >= 11);
  assert.ok(body.apiKeys.some((k) => k.apiKey === 1));
  assert.ok(body.apiKeys.some((k) => k.apiKey === API_VERSIONS));
});

test('Produce requests name the scenario topic and ask for acks=all', () => {
  for (const name of ['java', 'librdkafka', 'kafkajs', 'franz-go', 'platformatic']) {
    const c = client(name);
    const produce = c.pairs.filter((p) => p.apiKey === PRODUCE);
    assert.ok(produce.length >= c.codecs.length, `${name}: ${produce.length} Produce requests`);
    for (const pair of produce) {
      const body = requestOf(pair).body as ProduceRequest;
      assert.equal(body.acks, -1, `${name}/${pair.requestFile}`);
      assert.deepEqual(
        body.topicData.map((t) => t.name),
        [c.topic],
      );
    }
  }
});

test('a Metadata response names the topic the client created, with 3 partitions', () => {
  for (const name of ['java', 'franz-go', 'kafkajs', 'librdkafka', 'platformatic']) {
    const c = client(name);
    const topics = c.pairs
      .filter((p) => p.apiKey === METADATA)
      .flatMap((p) => (responseOf(p).body as MetadataResponse).topics)
      .filter((t) => t.name === c.topic && t.errorCode === 0);
    assert.ok(topics.length > 0, `${name}: no Metadata response names ${c.topic}`);
    assert.equal(topics[0].partitions.length, 3);
  }
});
