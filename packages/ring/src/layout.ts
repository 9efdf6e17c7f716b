// Ring layout: the one file that knows where things live in a ring's SharedArrayBuffer. Every control slot and entry
// header field is named here; ring-producer.ts and ring-consumer.ts work in positions and data offsets and call
// these helpers for every read or write of shared memory.
//
// A ring is one SharedArrayBuffer: a 384-byte control block, then `capacity` bytes of entry data.
//
//   byte   size  field               writer     meaning
//   ----   ----  ------------------  ---------  ------------------------------------------------------------------
//      0     4   magic               creator    0x53524E47 ("SRNG"): catches a buffer that is not a ring
//      4     4   version             creator    layout version, 1
//      8     4   capacity            creator    data bytes: a power of two, 64 .. 2^30
//     12   116   (reserved, zero)
//    128     4   head                producer   position after the last committed entry (Atomics.store)
//    132     4   closed              producer   1 once the producer closed the ring and its overflow queue drained
//    136     4   producerWaiting     both       1 while the producer waits for space; the consumer clears it to wake
//                                               the producer (compareExchange 1 -> 0, then Atomics.notify)
//    140   116   (reserved, zero)
//    256     4   tail                consumer   position after the last released entry (Atomics.store)
//    260     4   consumerSleeping    both       1 while the consumer waits for entries; the producer clears it to
//                                               wake the consumer (compareExchange 1 -> 0, then Atomics.notify)
//    264   120   (reserved, zero)
//    384   cap   data                producer   entries, each 8-byte aligned, never straddling the end
//
// The producer's slots and the consumer's slots sit 128 bytes apart: each side writes only its own pair of cache
// lines (x86's adjacent-line prefetcher pulls lines in 128-byte pairs), so a commit does not invalidate the line the
// consumer writes its tail to, and vice versa.
//
// An entry at data offset `o` (o % 8 == 0):
//
//   o+0    4   length    int32    payload bytes, 0 .. capacity - 8; -1 marks a skip (see below)
//   o+4    4   tag       int32    free for the user (request kind, shard-local id, ...)
//   o+8    len payload
//   ...        padding to the next multiple of 8 (contents undefined)
//
// An entry occupies entryBytes(length) = 8 + length rounded up to 8. When it does not fit between the producer's
// offset and the end of the data area, the producer writes a skip marker (length -1, 8-byte header, no payload)
// there and the entry starts at offset 0; the consumer jumps from a skip marker to offset 0. The space left before
// the end is always a multiple of 8 and at least 8, so a skip marker always fits.
//
// Positions (head, tail, the consumer's read position) are byte counts that only grow, kept as int32 and wrapping
// at 2^32: `(head - tail) | 0` is the number of bytes in use, exact because capacity <= 2^30 < 2^31, and
// `position & (capacity - 1)` is the data offset. Int32 rather than BigInt64: every Atomics.load of a BigInt64Array
// allocates a BigInt, and these loads happen once per entry on both threads; with wrap-safe arithmetic 32 bits
// lose nothing (a position wraps every 4 GiB, the ring never holds more than 1 GiB).
//
// Publication: the producer writes payload and header with plain stores, then Atomics.store(head); the consumer
// Atomics.load(head) before reading them (release/acquire; JavaScript's Atomics are sequentially consistent, which
// is stronger). Space flows back the same way through tail.
//
// Sleeping: a side that finds nothing to do stores 1 in its flag, re-reads the other side's index (and closed),
// and only if still nothing waits on its FLAG slot for the value 1. The other side, after its Atomics.store of
// head/tail (or closed), does compareExchange(flag, 1, 0) and notifies only if it saw 1. Sequential consistency
// means either the sleeper's re-read sees the new index or the waker's compareExchange sees the 1; a wake that
// lands between the re-read and the wait turns the wait into an immediate 'not-equal'. So no wake-up is lost, and
// a busy ring costs the producer one Atomics.load of the flag per commit and no futex call at all.

export const RING_MAGIC = 0x53524e47;
export const RING_VERSION = 1;

/** Bytes of the control block; the data area starts here. */
export const CONTROL_BYTES = 384;
/** Bytes of an entry header (length + tag). */
export const ENTRY_HEADER_BYTES = 8;
/** Entries and positions are multiples of this. */
export const ENTRY_ALIGNMENT = 8;
/** The length field of a skip marker. */
export const SKIP_MARKER = -1;

export const MIN_CAPACITY = 64;
export const MAX_CAPACITY = 2 ** 30;

// Int32 slot indices in the control block (byte offset / 4).
const MAGIC_SLOT = 0;
const VERSION_SLOT = 1;
const CAPACITY_SLOT = 2;
/** Producer-written: position after the last committed entry. */
export const HEAD_SLOT = 128 / 4;
/** Producer-written: 1 once the ring is closed and every queued entry is in it. */
export const CLOSED_SLOT = 132 / 4;
/** 1 while the producer waits (on this slot) for space; the consumer clears it to wake the producer. */
export const PRODUCER_WAITING_SLOT = 136 / 4;
/** Consumer-written: position after the last released entry. */
export const TAIL_SLOT = 256 / 4;
/** 1 while the consumer waits (on this slot) for entries; the producer clears it to wake the consumer. */
export const CONSUMER_SLEEPING_SLOT = 260 / 4;

const DATA_SLOT = CONTROL_BYTES / 4;

/** The views every ring endpoint works through. */
export interface RingViews {
  /** Int32 view of the whole buffer: control slots and entry headers. */
  readonly slots: Int32Array;
  /** Byte view of the data area only: data offset 0 is byte CONTROL_BYTES of the buffer. */
  readonly data: Uint8Array;
  readonly capacity: number;
}

/** Bytes a SharedArrayBuffer needs for a ring of `capacity` data bytes. */
export function ringBufferBytes(capacity: number): number {
  return CONTROL_BYTES + capacity;
}

/** Writes the control block of a fresh (zeroed) buffer. Call once, before any endpoint opens it. */
export function initControlBlock(buffer: SharedArrayBuffer, capacity: number): void {
  const slots = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  slots[VERSION_SLOT] = RING_VERSION;
  slots[CAPACITY_SLOT] = capacity;
  // Magic last: a buffer with the magic has a complete control block.
  Atomics.store(slots, MAGIC_SLOT, RING_MAGIC);
}

/** Checks a buffer is a ring of this layout version and returns the views over it; throws (a wiring bug) if not. */
export function openViews(buffer: SharedArrayBuffer): RingViews {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < CONTROL_BYTES + MIN_CAPACITY) {
    throw new TypeError('ring: expected the SharedArrayBuffer returned by createRing()');
  }
  const slots = new Int32Array(buffer);
  if (Atomics.load(slots, MAGIC_SLOT) !== RING_MAGIC) throw new TypeError('ring: buffer has no ring control block');
  if (slots[VERSION_SLOT] !== RING_VERSION) {
    throw new TypeError(`ring: layout version ${slots[VERSION_SLOT]}, this code reads ${RING_VERSION}`);
  }
  const capacity = slots[CAPACITY_SLOT];
  if (buffer.byteLength !== CONTROL_BYTES + capacity) throw new TypeError('ring: buffer size disagrees with capacity');
  return { slots, data: new Uint8Array(buffer, CONTROL_BYTES, capacity), capacity };
}

/** Bytes an entry with `length` payload bytes occupies: header plus payload rounded up to 8. */
export function entryBytes(length: number): number {
  return (ENTRY_HEADER_BYTES + length + ENTRY_ALIGNMENT - 1) & ~(ENTRY_ALIGNMENT - 1);
}

/** Data offset of a position. */
export function dataOffset(position: number, capacity: number): number {
  return position & (capacity - 1);
}

/** Data offset of the payload of the entry whose header is at `offset`. */
export function payloadOffset(offset: number): number {
  return offset + ENTRY_HEADER_BYTES;
}

export function readEntryLength(slots: Int32Array, offset: number): number {
  return slots[DATA_SLOT + (offset >> 2)];
}

export function readEntryTag(slots: Int32Array, offset: number): number {
  return slots[DATA_SLOT + (offset >> 2) + 1];
}

export function writeEntryHeader(slots: Int32Array, offset: number, length: number, tag: number): void {
  const slot = DATA_SLOT + (offset >> 2);
  slots[slot] = length;
  slots[slot + 1] = tag;
}

export function writeSkipMarker(slots: Int32Array, offset: number): void {
  slots[DATA_SLOT + (offset >> 2)] = SKIP_MARKER;
}
