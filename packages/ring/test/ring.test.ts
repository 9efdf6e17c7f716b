// Ring unit tests on one thread: entry framing, wrap-around at every 8-byte offset and payload alignment, the
// overflow queue under back-pressure, the size limits, lagging release, close, and waking a waiting consumer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createRing, RingConsumer, RingProducer } from '../src/index.ts';

function bytesOf(length: number, salt: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + salt * 13 + 1) & 255;
  return bytes;
}

function readAll(consumer: RingConsumer): { tag: number; bytes: Uint8Array }[] {
  const out: { tag: number; bytes: Uint8Array }[] = [];
  while (consumer.next()) out.push({ tag: consumer.tag, bytes: consumer.view().slice() });
  return out;
}

// Reads and releases until the producer's overflow queue is empty (a queued entry keeps the process alive, as
// pending work should), returning the tags read.
async function readUntilDrained(producer: RingProducer, consumer: RingConsumer): Promise<number[]> {
  const tags: number[] = [];
  for (;;) {
    while (consumer.next()) tags.push(consumer.tag);
    consumer.release();
    if (producer.queuedEntries === 0 && !consumer.next()) return tags;
    await nextTurn();
  }
}

test('entries come out in order with their tags and bytes', () => {
  const ring = createRing(1024);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  for (let i = 0; i < 5; i++) assert.equal(producer.push(i * 1000 - 2, bytesOf(i * 9, i)), true);
  const read = readAll(consumer);
  assert.deepEqual(
    read.map((e) => e.tag),
    [-2, 998, 1998, 2998, 3998],
  );
  for (let i = 0; i < read.length; i++) assert.deepEqual(read[i].bytes, bytesOf(i * 9, i));
  assert.equal(consumer.next(), false);
});

test('an entry wraps to the start intact from every 8-byte offset, for every payload length mod 8', () => {
  const capacity = 256;
  for (let start = 0; start < capacity; start += 8) {
    for (let length = 0; length <= 120; length++) {
      const ring = createRing(capacity);
      const producer = new RingProducer(ring);
      const consumer = new RingConsumer(ring);
      // Move both ends to `start` with one filler entry (8-byte header + start - 8 payload bytes).
      if (start > 0) {
        producer.push(0, new Uint8Array(start - 8));
        assert.equal(consumer.next(), true);
        consumer.release();
      }
      // Three entries: the first or second ends up crossing the end of the ring for most (start, length).
      for (let k = 1; k <= 3; k++) {
        assert.equal(producer.push(k, bytesOf(length, k)), true, `start ${start} length ${length} entry ${k}`);
        assert.equal(consumer.next(), true);
        assert.equal(consumer.tag, k);
        assert.deepEqual(consumer.view(), bytesOf(length, k), `start ${start} length ${length} entry ${k}`);
        assert.equal(consumer.offset % 8, 0, 'payloads start 8-byte aligned');
        consumer.release();
      }
      assert.equal(consumer.next(), false);
    }
  }
});

test('positions keep working past 2^31 and 2^32 bytes written', () => {
  const capacity = 1 << 20;
  const ring = createRing(capacity);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  // 7,000 entries of 0.5 .. 1 MiB move ~4.7 GiB of positions (int32, wrapping) without copying payloads.
  let crossed2To31 = false;
  let crossed2To32 = false;
  for (let i = 0; i < 7000; i++) {
    const length = i % 3 === 0 ? producer.maxEntryLength : capacity / 2 - 8 - (i % 5) * 8;
    let at = producer.tryReserve(length);
    if (at < 0) {
      // The entry did not fit before the end: the producer published a skip marker alone; passing it frees the
      // end of the ring.
      assert.equal(consumer.next(), false);
      at = producer.tryReserve(length);
    }
    assert.ok(at >= 0, `entry ${i} reserved`);
    producer.bytes[at] = i & 255;
    producer.bytes[at + length - 1] = (i >> 8) & 255;
    producer.commit(i);
    assert.equal(consumer.next(), true);
    assert.equal(consumer.tag, i);
    assert.equal(consumer.length, length);
    assert.equal(consumer.bytes[consumer.offset], i & 255);
    assert.equal(consumer.bytes[consumer.offset + length - 1], (i >> 8) & 255);
    consumer.release();
    if (consumer.readPosition < 0) crossed2To31 = true;
    else if (crossed2To31) crossed2To32 = true;
  }
  assert.ok(crossed2To31 && crossed2To32);
});

test('a full ring queues entries and delivers them in push order once space frees', async () => {
  const ring = createRing(1024);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  const lengths = Array.from({ length: 300 }, (_, i) => (i * 37) % 200);
  const pushed = lengths.map((length, i) => producer.push(i, bytesOf(length, i)));
  assert.equal(pushed[0], true);
  assert.ok(pushed.includes(false), 'some entries went to the overflow queue');
  assert.equal(pushed.indexOf(false) + producer.queuedEntries, lengths.length, 'once queued, every later entry queues');
  const drained = producer.whenDrained();

  let next = 0;
  while (next < lengths.length) {
    const before = next;
    while (consumer.next()) {
      assert.equal(consumer.tag, next);
      assert.deepEqual(consumer.view(), bytesOf(lengths[next], next));
      next++;
    }
    consumer.release();
    // The producer's drain loop wakes on the release (Atomics.waitAsync resolves on a later turn).
    if (next === before) await nextTurn();
  }
  await drained;
  assert.equal(producer.queuedEntries, 0);
  assert.equal(producer.queuedBytes, 0);
});

test('a push after space frees drains the queue first, keeping order', async () => {
  const ring = createRing(256);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  for (let i = 0; i < 10; i++) producer.push(i, bytesOf(50, i));
  assert.ok(producer.queuedEntries > 0);
  const order: number[] = [];
  for (let i = 10; i < 40; i++) {
    while (consumer.next()) order.push(consumer.tag);
    consumer.release();
    producer.push(i, bytesOf(50, i)); // synchronously, before the drain loop's wait resolves
  }
  order.push(...(await readUntilDrained(producer, consumer)));
  assert.deepEqual(
    order,
    Array.from({ length: 40 }, (_, i) => i),
  );
});

test('empty entries and entries of exactly the max entry length round-trip, from any offset', async () => {
  const ring = createRing(512);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  assert.equal(producer.maxEntryLength, 504);
  for (let i = 0; i < 100; i++) assert.equal(producer.push(i, new Uint8Array(0)), i < 64);
  let next = 0;
  while (next < 100) {
    while (consumer.next()) {
      assert.equal(consumer.tag, next++);
      assert.equal(consumer.length, 0);
    }
    consumer.release();
    await nextTurn();
  }
  for (let shift = 0; shift < 512; shift += 72) {
    producer.push(-1, bytesOf(shift, 0)); // moves the ring's offset
    producer.push(shift, bytesOf(504, shift)); // needs the whole ring: waits for the first to be released
    assert.equal(consumer.next(), true);
    assert.equal(consumer.tag, -1);
    consumer.release();
    assert.equal(consumer.next(), false); // passes the skip marker, if one was needed
    await producer.whenDrained();
    assert.equal(consumer.next(), true);
    assert.equal(consumer.tag, shift);
    assert.deepEqual(consumer.view(), bytesOf(504, shift));
    consumer.release();
  }
});

test('an entry larger than the ring can hold is refused with a RangeError naming the limit', () => {
  const ring = createRing(512);
  const producer = new RingProducer(ring);
  assert.throws(() => producer.push(0, new Uint8Array(505)), /505 bytes exceeds the ring's max entry length 504/);
  assert.throws(() => producer.push(0, new Uint8Array(500), new Uint8Array(5)), RangeError);
  assert.throws(() => producer.tryReserve(4096), RangeError);
  assert.equal(producer.queuedEntries, 0);
  assert.throws(() => createRing(1000), /not a power of two/);
  assert.throws(() => new RingConsumer(new SharedArrayBuffer(1024)), /no ring control block/);
});

test('read entries stay intact until released, even while the producer waits for their space', async () => {
  const ring = createRing(256);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  for (let i = 0; i < 3; i++) producer.push(i, bytesOf(60, i));
  assert.equal(consumer.next(), true);
  const afterFirst = consumer.readPosition;
  const views = [consumer.view()];
  while (consumer.next()) views.push(consumer.view());
  assert.equal(views.length, 3);
  consumer.release(afterFirst); // frees entry 0 only
  for (let i = 3; i < 8; i++) producer.push(i, bytesOf(60, i));
  assert.ok(producer.queuedEntries > 0);
  for (let i = 1; i < 3; i++) assert.deepEqual(views[i], bytesOf(60, i));
  assert.throws(() => consumer.release(afterFirst - 8), RangeError);
  assert.deepEqual(await readUntilDrained(producer, consumer), [3, 4, 5, 6, 7]);
});

test('the consumer sees the end only after every entry, queued ones included', async () => {
  const ring = createRing(128);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  for (let i = 0; i < 6; i++) producer.push(i, bytesOf(40, i));
  producer.close();
  assert.throws(() => producer.push(9, new Uint8Array(1)), /after close/);
  const tags: number[] = [];
  while (!consumer.ended) {
    while (consumer.next()) tags.push(consumer.tag);
    consumer.release();
    await consumer.waitAsync(1000);
  }
  assert.deepEqual(tags, [0, 1, 2, 3, 4, 5]);
});

test('a waiting consumer wakes when an entry is committed, and the main thread may not block', async () => {
  const ring = createRing(128);
  const producer = new RingProducer(ring);
  const consumer = new RingConsumer(ring);
  const waiting = consumer.waitAsync(60_000);
  assert.ok(waiting instanceof Promise);
  setImmediate(() => producer.push(7, bytesOf(3, 7)));
  await waiting;
  assert.equal(consumer.next(), true);
  assert.equal(consumer.tag, 7);
  producer.push(8, bytesOf(3, 8));
  assert.equal(consumer.waitAsync(60_000), undefined, 'nothing to wait for while an entry is unread');
  assert.throws(() => consumer.waitSync(10), /main thread/);
});
