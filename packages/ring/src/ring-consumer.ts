// RingConsumer: the reading end of a single-producer single-consumer ring (layout in layout.ts).
// Owner: exactly one thread per ring (a shard for request rings, the main thread for completion rings).
//
// Contract:
// - next() moves a cursor to the next committed entry and describes it in `tag`, `offset` and `length` (offsets
//   into `bytes`, the ring's data area): the payload is read in place, never copied, without allocating. view()
//   returns it as a Uint8Array when one is needed (fs.writeSync, decoding).
// - Reading and releasing are separate: an entry's bytes stay valid and unchanged until release() passes it, so
//   a shard can read a batch of entries, write them to disk from ring memory, and release them afterwards.
//   release(position) frees everything before `position` (a value of `readPosition` seen after next()).
// - waitAsync() never blocks (any thread, the main thread included); waitSync() blocks and is refused on the main
//   thread. Both return early when an entry is committed or the ring closes.

import { isMainThread } from 'node:worker_threads';
import {
  CLOSED_SLOT,
  CONSUMER_SLEEPING_SLOT,
  dataOffset,
  entryBytes,
  HEAD_SLOT,
  openViews,
  PRODUCER_WAITING_SLOT,
  payloadOffset,
  readEntryLength,
  readEntryTag,
  SKIP_MARKER,
  TAIL_SLOT,
} from './layout.ts';
import { waitOn, wake } from './signals.ts';

export class RingConsumer {
  /** Data bytes of the ring. */
  readonly capacity: number;
  /** The ring's data area; `offset` points into it. */
  readonly bytes: Uint8Array;
  /** Tag of the entry under the cursor (after next() returned true). */
  tag = 0;
  /** Offset in `bytes` of the payload of the entry under the cursor. */
  offset = 0;
  /** Payload bytes of the entry under the cursor. */
  length = 0;

  readonly #slots: Int32Array;
  #readPosition: number;
  #releasedPosition: number;
  #cachedHead: number; // re-read only when the reader catches up with it
  // A skip marker read but not yet released (at most one can be outstanding: see release()).
  #skipFrom = 0;
  #skipTo = 0;
  #hasSkip = false;

  constructor(buffer: SharedArrayBuffer) {
    const views = openViews(buffer);
    this.#slots = views.slots;
    this.bytes = views.data;
    this.capacity = views.capacity;
    this.#releasedPosition = Atomics.load(this.#slots, TAIL_SLOT);
    this.#readPosition = this.#releasedPosition;
    this.#cachedHead = Atomics.load(this.#slots, HEAD_SLOT);
  }

  /** Position after the entry under the cursor: pass it to release() to free that entry and all before it. */
  get readPosition(): number {
    return this.#readPosition;
  }

  /** True once the producer closed the ring and every entry has been read. */
  get ended(): boolean {
    // closed first: the producer publishes its last head before it sets closed.
    return Atomics.load(this.#slots, CLOSED_SLOT) === 1 && Atomics.load(this.#slots, HEAD_SLOT) === this.#readPosition;
  }

  /** Moves the cursor to the next committed entry; false when there is none yet. */
  next(): boolean {
    const slots = this.#slots;
    const capacity = this.capacity;
    for (;;) {
      const position = this.#readPosition;
      if (position === this.#cachedHead) {
        this.#cachedHead = Atomics.load(slots, HEAD_SLOT);
        if (position === this.#cachedHead) return false;
      }
      const offset = dataOffset(position, capacity);
      const length = readEntryLength(slots, offset);
      if (length === SKIP_MARKER) {
        const after = (position + capacity - offset) | 0;
        this.#readPosition = after;
        if (this.#releasedPosition === position) this.#storeTail(after);
        else {
          this.#skipFrom = position;
          this.#skipTo = after;
          this.#hasSkip = true;
        }
        continue;
      }
      this.tag = readEntryTag(slots, offset);
      this.offset = payloadOffset(offset);
      this.length = length;
      this.#readPosition = (position + entryBytes(length)) | 0;
      return true;
    }
  }

  /** The payload of the entry under the cursor, in place (valid until released). Allocates a view object. */
  view(): Uint8Array {
    return this.bytes.subarray(this.offset, this.offset + this.length);
  }

  /** Frees the ring space of every entry before `position` (default: every entry read so far). */
  release(position: number = this.#readPosition): void {
    const released = this.#releasedPosition;
    const step = (position - released) | 0;
    if (step < 0 || step > ((this.#readPosition - released) | 0)) {
      throw new RangeError(`ring: release(${position}) outside the read entries [${released}, ${this.#readPosition}]`);
    }
    let tail = position;
    if (this.#hasSkip) {
      // A skip marker directly after the released entry goes with it; one before `position` is covered by it.
      // Only one can be outstanding: the producer cannot write the next lap's skip before this one is released.
      if (position === this.#skipFrom) {
        tail = this.#skipTo;
        this.#hasSkip = false;
      } else if (((this.#skipTo - position) | 0) <= 0) this.#hasSkip = false;
    }
    if (tail !== released) this.#storeTail(tail);
  }

  /**
   * Resolves when an entry is ready to read, the ring closed, or `timeoutMs` passed, without blocking. Returns
   * undefined (nothing to await) when there is already something to do.
   */
  waitAsync(timeoutMs: number): Promise<void> | undefined {
    if (!this.#prepareSleep()) return undefined;
    const waiting = waitOn(this.#slots, CONSUMER_SLEEPING_SLOT, timeoutMs);
    if (waiting === undefined) {
      Atomics.store(this.#slots, CONSUMER_SLEEPING_SLOT, 0);
      return undefined;
    }
    return waiting.then(() => {
      Atomics.store(this.#slots, CONSUMER_SLEEPING_SLOT, 0);
    });
  }

  /** Blocks this worker thread until an entry is ready, the ring closed, or `timeoutMs` passed. Not on main. */
  waitSync(timeoutMs: number): void {
    if (isMainThread) throw new Error('ring: waitSync() would block the main thread; use waitAsync()');
    if (!this.#prepareSleep()) return;
    Atomics.wait(this.#slots, CONSUMER_SLEEPING_SLOT, 1, timeoutMs);
    Atomics.store(this.#slots, CONSUMER_SLEEPING_SLOT, 0);
  }

  // Raises the sleeping flag and re-checks; false (flag lowered again) when there is something to do.
  #prepareSleep(): boolean {
    const slots = this.#slots;
    if (this.#readPosition !== this.#cachedHead) return false;
    Atomics.store(slots, CONSUMER_SLEEPING_SLOT, 1);
    this.#cachedHead = Atomics.load(slots, HEAD_SLOT);
    if (this.#readPosition !== this.#cachedHead || Atomics.load(slots, CLOSED_SLOT) === 1) {
      Atomics.store(slots, CONSUMER_SLEEPING_SLOT, 0);
      return false;
    }
    return true;
  }

  #storeTail(tail: number): void {
    this.#releasedPosition = tail;
    Atomics.store(this.#slots, TAIL_SLOT, tail);
    wake(this.#slots, PRODUCER_WAITING_SLOT);
  }
}
