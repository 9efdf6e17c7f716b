// What survives a restart. SIGKILL in the middle of a sustained acks=all produce: after a restart every
// acknowledged message is in the log exactly once (acks=all is answered after fdatasync). A clean stop (SIGTERM)
// exits 0, and the restarted broker lists the same topics with the same topic IDs and serves the same records. A
// second broker on a data directory in use refuses to start.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { MetadataResponse, ProduceResponse } from '@sluice/protocol';
import { startBroker, tempDataDir } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { createTopic, produce } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const METADATA_ALL = {
  topics: null,
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};

describe('durability', { timeout: 90_000 }, () => {
  test('after kill -9 during an acks=all produce, every acknowledged message is there exactly once', async () => {
    const dataDir = tempDataDir();
    const broker = await startBroker({ dataDir, set: { 'sluice.shards': '2' } });
    const acked = new Set<string>();
    const partitions = 2;
    try {
      const c = await WireClient.connect(broker.port);
      const hang = setTimeout(() => console.error(`createTopic pending; broker stderr: ${broker.stderr()}`), 5_000);
      await createTopic(c, 'durable', partitions);
      clearTimeout(hang);
      // 16 produces in flight at a time, each one batch of 5 messages, until the broker is killed.
      let n = 0;
      let killed = false;
      const worker = async (lane: number) => {
        while (!killed) {
          const id = n++;
          const values = Array.from({ length: 5 }, (_, i) => Buffer.from(`m-${id}-${i}`));
          let r: ProduceResponse;
          try {
            r = await produce(c, 'durable', lane % partitions, values, -1);
          } catch {
            return; // connection gone: the kill
          }
          if (r.responses[0].partitionResponses[0].errorCode === 0) for (const v of values) acked.add(v.toString());
        }
      };
      const lanes = Array.from({ length: 16 }, (_, i) => worker(i));
      // Kill once a good number of produces were acknowledged (bounded: at most 10 s).
      for (let waited = 0; acked.size < 2_000 && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      killed = true;
      await broker.kill();
      await Promise.all(lanes);
      c.close();
      assert.ok(acked.size > 0, 'some produces were acknowledged before the kill');
    } finally {
      await broker.kill();
    }

    const restarted = await startBroker({ dataDir });
    try {
      const c = await WireClient.connect(restarted.port);
      const seen = new Map<string, number>();
      for (let p = 0; p < partitions; p++) {
        const records = await fetchAll(c, 'durable', p);
        assert.deepEqual(
          records.map((r) => r.offset),
          records.map((_, i) => i),
          'offsets contiguous after recovery',
        );
        for (const r of records) seen.set(r.value!.toString(), (seen.get(r.value!.toString()) ?? 0) + 1);
      }
      c.close();
      const missing = [...acked].filter((v) => !seen.has(v));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged messages lost`);
      const duplicated = [...seen].filter(([, count]) => count > 1);
      assert.deepEqual(duplicated.slice(0, 5), [], 'no message twice');
    } finally {
      await restarted.dispose();
    }
  });

  test('a clean stop keeps topics, topic IDs and records across a restart', async () => {
    const dataDir = tempDataDir();
    const first = await startBroker({ dataDir });
    let topicId: string;
    try {
      const c = await WireClient.connect(first.port);
      await createTopic(c, 'kept', 3);
      for (let p = 0; p < 3; p++) {
        for (let i = 0; i < 10; i++) await produce(c, 'kept', p, [Buffer.from(`p${p}-${i}`)], 1);
      }
      const m = await c.send<MetadataResponse>(3, 12, METADATA_ALL);
      topicId = m.topics.find((t) => t.name === 'kept')!.topicId;
      c.close();
    } finally {
      const exit = await first.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `clean exit; stderr: ${first.stderr()}`);
    }
    assert.ok(existsSync(`${dataDir}/.kafka_cleanshutdown`), 'clean-shutdown marker written');
    assert.ok(existsSync(`${dataDir}/meta.properties`), 'meta.properties written');

    const second = await startBroker({ dataDir });
    await assert.rejects(startBroker({ dataDir }), /in use by another broker/, 'one broker per data directory');
    try {
      const c = await WireClient.connect(second.port);
      const m = await c.send<MetadataResponse>(3, 12, METADATA_ALL);
      const kept = m.topics.find((t) => t.name === 'kept');
      assert.ok(kept, 'topic listed after restart');
      assert.equal(kept.topicId, topicId);
      assert.equal(kept.partitions.length, 3);
      for (let p = 0; p < 3; p++) {
        const records = await fetchAll(c, 'kept', p);
        assert.deepEqual(
          records.map((r) => [r.offset, r.value!.toString()]),
          Array.from({ length: 10 }, (_, i) => [i, `p${p}-${i}`]),
        );
      }
      // Appends continue after the recovered end.
      const r = await produce(c, 'kept', 0, [Buffer.from('after')], -1);
      assert.equal(r.responses[0].partitionResponses[0].baseOffset, 10n);
      c.close();
    } finally {
      await second.dispose();
    }
  });
});
