// The reference Kafka starts on 127.0.0.1, serves a real client (kcat/librdkafka: produce with every codec,
// consumer group, ListOffsets) through the recording proxy it advertises, and leaves no process or data behind.
// Skipped on a developer machine where scripts/setup has not fetched Kafka's jars or kcat is missing; never in CI
// (CI=true), where scripts/setup installs both and a missing one must fail the run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { KCAT_CODECS, kcatBin, runKcatScenario } from '../src/clients/kcat.ts';
import { freePort } from '../src/free-port.ts';
import { startKafka } from '../src/kafka-reference.ts';
import { kafkaAvailable } from '../src/paths.ts';
import { startRecordingProxy } from '../src/recording-proxy.ts';

const kcatAvailable = spawnSync(kcatBin, ['-V']).status === 0;
const skip = process.env.CI
  ? false
  : !kafkaAvailable()
    ? 'Kafka jars not fetched (bash scripts/setup)'
    : !kcatAvailable
      ? 'kcat missing'
      : false;

test('a client bootstrapped through the proxy reads back what it produced; stop() leaves nothing', {
  skip,
}, async () => {
  const proxy = await startRecordingProxy();
  const port = await freePort();
  proxy.setTarget('127.0.0.1', port);
  const kafka = await startKafka({ port, advertisedPort: proxy.port });
  try {
    assert.equal(kafka.bootstrap, `127.0.0.1:${proxy.port}`);
    const result = await runKcatScenario({ bootstrap: kafka.bootstrap, topic: 'reference-smoke', timeoutMs: 60_000 });
    assert.equal(result.consumed.length, KCAT_CODECS.length * 3);
    const latest = Object.values(result.offsets).reduce((sum, o) => sum + o.latest, 0);
    assert.equal(latest, KCAT_CODECS.length * 3);
    // Every connection went through the proxy: the Produce and Fetch requests were recorded there.
    assert.ok(proxy.frames.some((f) => f.direction === 'request' && f.apiKey === 0));
    assert.ok(proxy.frames.some((f) => f.direction === 'response' && f.apiKey === 1));
  } finally {
    await kafka.stop();
    await proxy.close();
  }
  assert.equal(existsSync(kafka.dataDir), false);
  const jvm = spawnSync('pgrep', ['-f', kafka.dataDir]);
  assert.equal(jvm.stdout.toString().trim(), '', 'the Kafka JVM is still running');
});
