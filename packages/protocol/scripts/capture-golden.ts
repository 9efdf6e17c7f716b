// Captures golden frames: real clients talking to real Apache Kafka, recorded byte for byte by a proxy.
//   node packages/protocol/scripts/capture-golden.ts [client ...]     (needs `bash scripts/setup` first)
// Starts Kafka (packages/testkit) with advertised port = the recording proxy's port, runs each client's scenario
// (packages/testkit/src/scenario.ts) through the proxy, and rewrites test/fixtures/golden/<client>/:
//   <NNN>-<ApiName>-v<version>-request.bin / -response.bin   frame bodies without the 4-byte size prefix; NNN orders
//                                                            the pairs as the client sent them
//   manifest.json   client version, Kafka version, codecs, the records the scenario produced, and every pair's files
// Kept: request/response pairs with both halves; a request identical to an earlier one (correlation id aside) is
// dropped; at most MAX_PAIRS_PER_VERSION pairs per API version except Produce (one per codec, all kept) and Fetch
// (the largest MAX_PAIRS_PER_VERSION, so those with records win); no frame over MAX_FRAME_BYTES. README.md is the
// record of what was captured, when, and how.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFranzGoScenario } from '../../testkit/src/clients/franz-go.ts';
import { runJavaScenario } from '../../testkit/src/clients/java.ts';
import { KAFKAJS_CODECS, runKafkaJsScenario } from '../../testkit/src/clients/kafkajs.ts';
import { runKcatScenario } from '../../testkit/src/clients/kcat.ts';
import { runPlatformaticScenario } from '../../testkit/src/clients/platformatic.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { kafkaVersion, startKafka } from '../../testkit/src/kafka-reference.ts';
import { type RecordedFrame, startRecordingProxy } from '../../testkit/src/recording-proxy.ts';
import { ALL_CODECS, type Codec, expectedRecords, type ScenarioResult } from '../../testkit/src/scenario.ts';
import { apiMessageByKey } from '../src/generated/api-messages.ts';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'golden');
const MAX_PAIRS_PER_VERSION = 3;
// 64 KiB: keeps the fixtures a few hundred KB in all; the scenario's fetches are far smaller.
const MAX_FRAME_BYTES = 64 * 1024;
const COUNT = 3;
const PRODUCE = 0;
const FETCH = 1;

interface ClientCapture {
  name: string;
  codecs: readonly Codec[];
  note: string;
  run(bootstrap: string, topic: string): Promise<ScenarioResult>;
}

const clients: ClientCapture[] = [
  {
    name: 'java',
    codecs: ALL_CODECS,
    note: 'kafka-clients 3.9.2 (its newest versions are the newest the protocol schemas cover)',
    run: (bootstrap, topic) => runJavaScenario({ bootstrap, topic, client: 'legacy', count: COUNT }),
  },
  {
    name: 'java-4',
    codecs: ALL_CODECS,
    note: "kafka-clients of the reference broker's version; some versions are newer than the protocol schemas",
    run: (bootstrap, topic) => runJavaScenario({ bootstrap, topic, client: 'current', count: COUNT }),
  },
  {
    name: 'librdkafka',
    codecs: ALL_CODECS,
    note: 'kcat (Debian) over librdkafka; topic auto-created, never deleted (kcat has no admin API)',
    run: (bootstrap, topic) => runKcatScenario({ bootstrap, topic, count: COUNT }),
  },
  {
    name: 'kafkajs',
    codecs: KAFKAJS_CODECS,
    note: 'KafkaJS offers none and gzip without codec plugins',
    run: (bootstrap, topic) => runKafkaJsScenario({ bootstrap, topic, count: COUNT }),
  },
  {
    name: 'platformatic',
    codecs: ALL_CODECS,
    note: '@platformatic/kafka (npm); mostly flexible versions',
    run: (bootstrap, topic) => runPlatformaticScenario({ bootstrap, topic, count: COUNT }),
  },
  {
    name: 'franz-go',
    codecs: ALL_CODECS,
    note: 'franz-go capped at Kafka 3.9 request versions (kgo.MaxVersions(kversion.V3_9_0()))',
    run: (bootstrap, topic) => runFranzGoScenario({ bootstrap, topic, count: COUNT, maxVersion: '3.9' }),
  },
];

interface Pair {
  request: RecordedFrame;
  response: RecordedFrame;
}

function apiName(apiKey: number): string {
  return apiMessageByKey(apiKey)?.name ?? `Api${apiKey}`;
}

/** Request/response pairs in request order, deduplicated and trimmed as the header comment says. */
function selectPairs(frames: RecordedFrame[]): Pair[] {
  const responses = new Map<string, RecordedFrame>();
  for (const f of frames) if (f.direction === 'response') responses.set(`${f.connectionId}/${f.correlationId}`, f);
  const seen = new Set<string>();
  const byVersion = new Map<string, Pair[]>();
  for (const request of frames) {
    if (request.direction !== 'request') continue;
    const response = responses.get(`${request.connectionId}/${request.correlationId}`);
    if (response === undefined) continue;
    if (request.body.length > MAX_FRAME_BYTES || response.body.length > MAX_FRAME_BYTES) continue;
    if (request.body.length === 0 || response.body.length === 0) continue;
    const withoutCorrelationId = Buffer.concat([request.body.subarray(0, 4), request.body.subarray(8)]);
    const identity = withoutCorrelationId.toString('base64');
    if (seen.has(identity)) continue;
    seen.add(identity);
    const key = `${request.apiKey}/${request.apiVersion}`;
    const list = byVersion.get(key) ?? [];
    list.push({ request, response });
    byVersion.set(key, list);
  }
  const kept: Pair[] = [];
  for (const list of byVersion.values()) {
    const apiKey = list[0].request.apiKey;
    if (apiKey === PRODUCE) kept.push(...list);
    else if (apiKey === FETCH) {
      kept.push(
        ...[...list].sort((a, b) => b.response.body.length - a.response.body.length).slice(0, MAX_PAIRS_PER_VERSION),
      );
    } else kept.push(...list.slice(0, MAX_PAIRS_PER_VERSION));
  }
  return kept.sort((a, b) => a.request.seq - b.request.seq);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = only.length > 0 ? clients.filter((c) => only.includes(c.name)) : clients;
  const proxy = await startRecordingProxy();
  const kafkaPort = await freePort();
  proxy.setTarget('127.0.0.1', kafkaPort);
  const kafka = await startKafka({ port: kafkaPort, advertisedPort: proxy.port });
  const summary: string[] = [];
  try {
    for (const client of selected) {
      proxy.clear();
      const result = await client.run(kafka.bootstrap, `golden-${client.name}`);
      if (result.consumed.length !== client.codecs.length * COUNT) {
        throw new Error(
          `${client.name} consumed ${result.consumed.length} records, expected ${client.codecs.length * COUNT}`,
        );
      }
      const pairs = selectPairs(proxy.frames);
      const dir = join(goldenDir, client.name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const files: Array<{ request: string; response: string; apiKey: number; apiVersion: number }> = [];
      let bytes = 0;
      pairs.forEach((pair, i) => {
        const { apiKey, apiVersion } = pair.request;
        const stem = `${String(i + 1).padStart(3, '0')}-${apiName(apiKey)}-v${apiVersion}`;
        writeFileSync(join(dir, `${stem}-request.bin`), pair.request.body);
        writeFileSync(join(dir, `${stem}-response.bin`), pair.response.body);
        bytes += pair.request.body.length + pair.response.body.length;
        files.push({ request: `${stem}-request.bin`, response: `${stem}-response.bin`, apiKey, apiVersion });
      });
      const manifest = {
        client: client.name,
        clientVersion: result.clientVersion,
        kafkaVersion: kafkaVersion(),
        note: client.note,
        codecs: client.codecs,
        count: COUNT,
        topic: result.topic,
        expectedRecords: expectedRecords(result.client, client.codecs, COUNT),
        pairs: files,
      };
      writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      const apis = [...new Set(files.map((f) => `${apiName(f.apiKey)} v${f.apiVersion}`))].join(', ');
      summary.push(`${client.name} (${result.clientVersion}): ${files.length} pairs, ${bytes} bytes: ${apis}`);
      process.stderr.write(`captured ${summary[summary.length - 1]}\n`);
    }
  } finally {
    await kafka.stop();
    await proxy.close();
  }
  const dirs = readdirSync(goldenDir, { withFileTypes: true }).filter((d) => d.isDirectory());
  process.stderr.write(`fixtures in ${goldenDir}: ${dirs.map((d) => d.name).join(', ')}\n`);
}

await main();
