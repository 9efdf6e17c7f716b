// RingProducer: the writing end of a single-producer single-consumer ring (layout in layout.ts).
// Owner: exactly one thread per ring (the main thread for request rings, a shard for completion rings).
//
// Contract:
// - Entries reach the consumer in push/commit order, each whole, never dropped, never reordered.
// - Nothing here blocks: when the ring lacks room, push() copies the entry into a JS-side overflow queue and the
//   queue drains into the ring as the consumer releases space (woken through Atomics.waitAsync, or on the next push).
// - The fast path copies a payload once, into the ring: tryReserve() -> write into `bytes` -> commit(), or push()
//   which does the same. Only a queued entry is copied twice (into the queue, then into the ring).
// - An entry longer than maxEntryLength (capacity - 8) is a wiring bug (the caller checks request sizes first and
//   answers with Kafka's error code) and throws a RangeError.

import {
  CLOSED_SLOT,
  CONSUMER_SLEEPING_SLOT,
  dataOffset,
  ENTRY_HEADER_BYTES,
  entryBytes,
  HEAD_SLOT,
  openViews,
  PRODUCER_WAITING_SLOT,
  payloadOffset,
  TAIL_SLOT,
  writeEntryHeader,
  writeSkipMarker,
} from './layout.ts';
import { waitOn, wake } from './signals.ts';

export interface RingProducerOptions {
  /** Upper bound of one wait for space while entries are queued; the wait ends earlier when space frees. */
  drainWaitMs?: number;
}

interface QueuedEntry {
  tag: number;
  bytes: Uint8Array;
}

export class RingProducer {
  /** Data bytes of the ring. */
  readonly capacity: number;
  /** Largest payload one entry can carry: an entry may fill the whole ring. */
  readonly maxEntryLength: number;
  /** The ring's data area; tryReserve() returns offsets into it. */
  readonly bytes: Uint8Array;

  readonly #slots: Int32Array;
  readonly #drainWaitMs: number;
  #head: number; // this end owns head: the local copy is authoritative, the shared slot lags until publish
  #cachedTail: number; // re-read only when the cached value says the ring is too full
  #reservedOffset = -1;
  #reservedLength = 0;
  #queue: (QueuedEntry | undefined)[] = [];
  #queueStart = 0;
  #queuedBytes = 0;
  #draining = false;
  #closing = false;
  #drainedWaiters: (() => void)[] = [];

  constructor(buffer: SharedArrayBuffer, options: RingProducerOptions = {}) {
    const views = openViews(buffer);
    this.#slots = views.slots;
    this.bytes = views.data;
    this.capacity = views.capacity;
    this.maxEntryLength = views.capacity - ENTRY_HEADER_BYTES;
    this.#drainWaitMs = options.drainWaitMs ?? 1000;
    this.#head = Atomics.load(this.#slots, HEAD_SLOT);
    this.#cachedTail = Atomics.load(this.#slots, TAIL_SLOT);
  }

  /** Entries waiting in the overflow queue (a back-pressure signal: pause reading sockets when it grows). */
  get queuedEntries(): number {
    return this.#queue.length - this.#queueStart;
  }

  /** Payload bytes waiting in the overflow queue. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Reserves room for an entry of `length` payload bytes and returns the offset in `bytes` where the payload goes,
   * or -1 when the ring has no room now or entries are queued (push() keeps order then). commit() publishes it.
   */
  tryReserve(length: number): number {
    this.#checkLength(length);
    if (this.#queueStart !== this.#queue.length) return -1;
    return this.#reserve(length);
  }

  /** Publishes the reserved entry with `tag`; `length` may shrink the reservation (never grow it). */
  commit(tag: number, length: number = this.#reservedLength): void {
    if (this.#reservedOffset < 0) throw new Error('ring: commit() without a successful tryReserve()');
    if (length < 0 || length > this.#reservedLength) throw new RangeError('ring: commit() longer than reserved');
    this.#append(tag, length);
    this.#publish();
  }

  /**
   * Appends an entry whose payload is `payload` followed by `suffix` (for "small header built here + record batch
   * sliced from the socket buffer" without concatenating). Returns true when the entry is in the ring, false when
   * it was copied into the overflow queue.
   */
  push(tag: number, payload: Uint8Array, suffix?: Uint8Array): boolean {
    const length = suffix === undefined ? payload.length : payload.length + suffix.length;
    this.#checkLength(length);
    if (this.#closing) throw new Error('ring: push() after close()');
    if (this.#queueStart === this.#queue.length || this.#drainQueue()) {
      const offset = this.#reserve(length);
      if (offset >= 0) {
        this.bytes.set(payload, offset);
        if (suffix !== undefined) this.bytes.set(suffix, offset + payload.length);
        this.#append(tag, length);
        this.#publish();
        return true;
      }
    }
    // Copy: the caller may reuse its buffer (a socket read buffer) as soon as we return.
    let bytes: Uint8Array;
    if (suffix === undefined) bytes = payload.slice();
    else {
      bytes = new Uint8Array(length);
      bytes.set(payload, 0);
      bytes.set(suffix, payload.length);
    }
    this.#queue.push({ tag, bytes });
    this.#queuedBytes += length;
    this.#startDrain();
    return false;
  }

  /** Resolves when the overflow queue is empty (at once if it is). */
  whenDrained(): Promise<void> {
    if (this.#queueStart === this.#queue.length) return Promise.resolve();
    return new Promise((resolve) => this.#drainedWaiters.push(resolve));
  }

  /**
   * Ends the stream: once every queued entry is in the ring, the consumer sees `ended` after reading the last one.
   * Further pushes throw.
   */
  close(): void {
    this.#closing = true;
    if (this.#queueStart === this.#queue.length) this.#finishClose();
  }

  #checkLength(length: number): void {
    if (!(length >= 0 && length <= this.maxEntryLength)) {
      throw new RangeError(
        `ring: entry of ${length} bytes exceeds the ring's max entry length ${this.maxEntryLength} ` +
          `(capacity ${this.capacity} bytes minus an 8-byte header)`,
      );
    }
  }

  // Returns the payload offset for an entry of `length` bytes, writing a skip marker first when the entry does not
  // fit before the end of the data area; -1 when there is no room yet.
  #reserve(length: number): number {
    const size = entryBytes(length);
    const capacity = this.capacity;
    const offset = dataOffset(this.#head, capacity);
    const toEnd = capacity - offset;
    const needed = size <= toEnd ? size : toEnd + size;
    if (capacity - ((this.#head - this.#cachedTail) | 0) < needed) {
      this.#cachedTail = Atomics.load(this.#slots, TAIL_SLOT);
      const free = capacity - ((this.#head - this.#cachedTail) | 0);
      if (free < needed) {
        // Publish the skip now when it alone fits: the consumer passes it and releases the end of the ring, which
        // is what lets an entry of up to `capacity` bytes start at offset 0 even when the ring was half full.
        if (size > toEnd && free >= toEnd) {
          writeSkipMarker(this.#slots, offset);
          this.#head = (this.#head + toEnd) | 0;
          this.#publish();
        }
        return -1;
      }
    }
    if (size <= toEnd) {
      this.#reservedOffset = offset;
    } else {
      writeSkipMarker(this.#slots, offset);
      this.#head = (this.#head + toEnd) | 0;
      this.#reservedOffset = 0;
    }
    this.#reservedLength = length;
    return payloadOffset(this.#reservedOffset);
  }

  // Writes the header of the reserved entry and advances the local head (not yet visible to the consumer).
  #append(tag: number, length: number): void {
    writeEntryHeader(this.#slots, this.#reservedOffset, length, tag);
    this.#head = (this.#head + entryBytes(length)) | 0;
    this.#reservedOffset = -1;
    this.#reservedLength = 0;
  }

  #publish(): void {
    Atomics.store(this.#slots, HEAD_SLOT, this.#head);
    wake(this.#slots, CONSUMER_SLEEPING_SLOT);
  }

  // Moves queued entries into the ring while they fit, publishing once. True when the queue is empty afterwards.
  #drainQueue(): boolean {
    const queue = this.#queue;
    let start = this.#queueStart;
    let moved = false;
    while (start < queue.length) {
      const entry = queue[start]!;
      const offset = this.#reserve(entry.bytes.length);
      if (offset < 0) break;
      this.bytes.set(entry.bytes, offset);
      this.#append(entry.tag, entry.bytes.length);
      this.#queuedBytes -= entry.bytes.length;
      queue[start] = undefined; // let the copy be collected now
      start++;
      moved = true;
    }
    if (moved) this.#publish();
    if (start < queue.length) {
      // Compact once the consumed prefix dominates, so a long back-pressure episode stays O(n).
      if (start > 1024 && start * 2 > queue.length) {
        this.#queue = queue.slice(start);
        start = 0;
      }
      this.#queueStart = start;
      return false;
    }
    this.#queue = [];
    this.#queueStart = 0;
    if (this.#closing) this.#finishClose();
    const waiters = this.#drainedWaiters;
    if (waiters.length > 0) {
      this.#drainedWaiters = [];
      for (const resolve of waiters) resolve();
    }
    return true;
  }

  #startDrain(): void {
    if (this.#draining) return;
    this.#draining = true;
    void this.#drainLoop();
  }

  async #drainLoop(): Promise<void> {
    const slots = this.#slots;
    try {
      while (!this.#drainQueue()) {
        Atomics.store(slots, PRODUCER_WAITING_SLOT, 1);
        // Re-read tail after raising the flag: a release before the flag was visible is seen here, one after it
        // clears the flag and makes the wait return at once.
        if (Atomics.load(slots, TAIL_SLOT) === this.#cachedTail) {
          const waiting = waitOn(slots, PRODUCER_WAITING_SLOT, this.#drainWaitMs);
          if (waiting !== undefined) await waiting;
        }
        Atomics.store(slots, PRODUCER_WAITING_SLOT, 0);
      }
    } finally {
      this.#draining = false;
    }
  }

  #finishClose(): void {
    Atomics.store(this.#slots, CLOSED_SLOT, 1);
    wake(this.#slots, CONSUMER_SLEEPING_SLOT);
  }
}
