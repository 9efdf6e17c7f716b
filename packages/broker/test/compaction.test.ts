// A topic with cleanup.policy=compact is compacted by its shard while idle: once segments roll, older records of a
// key are removed and the latest value of every key stays readable; a keyless record is refused (INVALID_RECORD).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';
import { fetchAll } from './support/fetch-all.ts';
import { createTopic, produce } from './support/requests.ts';
import { WireClient } from './support/wire-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('compacted topics', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker?.dispose();
  });

  test('keep the latest value of every key once older segments are cleaned', async () => {
    const c = await WireClient.connect(broker.port);
    try {
      // segment.ms 100: every round below starts a new segment, so earlier rounds become cleanable.
      await createTopic(c, 'latest', 1, {
        'cleanup.policy': 'compact',
        'segment.ms': '100',
        'min.cleanable.dirty.ratio': '0.01',
      });
      const keys = Array.from({ length: 10 }, (_, i) => Buffer.from(`key-${i}`));
      for (const round of [1, 2, 3]) {
        const values = keys.map((_, i) => Buffer.from(`round-${round}-${i}`));
        const r = await produce(c, 'latest', 0, values, -1, keys);
        assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
        await sleep(150);
      }
      const keyless = await produce(c, 'latest', 0, [Buffer.from('no key')], -1);
      assert.equal(keyless.responses[0].partitionResponses[0].errorCode, 87, 'keyless record refused');
      // Compaction runs in the background: poll (bounded) until round 1 is gone.
      let values: string[] = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        values = (await fetchAll(c, 'latest', 0)).map((r) => r.value!.toString());
        if (!values.some((v) => v.startsWith('round-1-'))) break;
        await sleep(100);
      }
      assert.ok(!values.some((v) => v.startsWith('round-1-')), `round 1 compacted away: ${values.join(' ')}`);
      for (let i = 0; i < keys.length; i++) assert.ok(values.includes(`round-3-${i}`), `latest value of key-${i}`);
    } finally {
      c.close();
    }
  });
});
