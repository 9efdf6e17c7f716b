// Consumer thread of ring.bench.ts: for each run it receives a ring and an entry count, reads every entry in place
// (touching its first and last byte, so the bytes cross to this core), releases in batches as a shard does after
// a write, waits with waitAsync when idle, and reports the count and a checksum of the touched bytes.

import { parentPort } from 'node:worker_threads';
import { RingConsumer } from '../../packages/ring/src/index.ts';

interface Run {
  ring: SharedArrayBuffer;
  count: number;
}

parentPort!.on('message', async ({ ring, count }: Run) => {
  const consumer = new RingConsumer(ring);
  const bytes = consumer.bytes;
  let read = 0;
  let checksum = 0;
  while (read < count) {
    while (consumer.next()) {
      if (consumer.length > 0)
        checksum = (checksum + bytes[consumer.offset] + bytes[consumer.offset + consumer.length - 1]) | 0;
      read++;
    }
    consumer.release();
    if (read < count) await consumer.waitAsync(100);
  }
  parentPort!.postMessage({ read, checksum });
});
