// @sluice/ring: single-producer single-consumer rings of variable-size entries in SharedArrayBuffers, the channel
// between the main thread and each shard (one ring each way per shard). createRing() allocates a buffer; post it
// to the other thread (postMessage shares, never copies, a SharedArrayBuffer) and open one end on each side.

import { initControlBlock, MAX_CAPACITY, MIN_CAPACITY, ringBufferBytes } from './layout.ts';

export { ENTRY_HEADER_BYTES, MAX_CAPACITY, MIN_CAPACITY } from './layout.ts';
export { RingConsumer } from './ring-consumer.ts';
export { RingProducer, type RingProducerOptions } from './ring-producer.ts';

/** Allocates and initialises a ring with `capacity` data bytes (a power of two, 64 B .. 1 GiB). */
export function createRing(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
    throw new RangeError(`ring: capacity ${capacity} outside ${MIN_CAPACITY} .. ${MAX_CAPACITY} bytes`);
  }
  if ((capacity & (capacity - 1)) !== 0) throw new RangeError(`ring: capacity ${capacity} is not a power of two`);
  const buffer = new SharedArrayBuffer(ringBufferBytes(capacity));
  initControlBlock(buffer, capacity);
  return buffer;
}
