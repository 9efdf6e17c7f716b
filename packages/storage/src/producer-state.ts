// Idempotent producer state of one partition (KIP-98; Kafka's ProducerStateManager / ProducerAppendInfo): per
// producerId the current epoch and the last 5 batches written (firstSeq, lastSeq, firstOffset, lastOffset,
// timestamp). Clients keep at most 5 requests in flight per partition (max.in.flight.requests.per.connection <= 5
// with idempotence), so any retry the broker can see is one of those 5. Rules for a client batch with producerId
// >= 0, checked in this order (Kafka 2.5+ / KIP-360 semantics):
//   1. same epoch and exactly the (firstSeq, lastSeq) of a retained batch -> duplicate: nothing is written, the
//      append answers the ORIGINAL offsets with no error (DUPLICATE_SEQUENCE_NUMBER is never returned: Kafka
//      stopped returning it once it kept 5 batches, 1.0+);
//   2. epoch < current epoch                                          -> INVALID_PRODUCER_EPOCH (47); Kafka 2.7+
//      answers this rather than PRODUCER_FENCED on Produce, for every Produce version (KIP-588);
//   3. epoch > current epoch (a bump, KIP-360) with firstSeq != 0     -> OUT_OF_ORDER_SEQUENCE_NUMBER (45);
//   4. same epoch, firstSeq != lastSeq + 1 (0 after Int32.MAX: the sequence wraps) -> OUT_OF_ORDER_SEQUENCE_NUMBER;
//   5. producer unknown here (never seen, expired, or all its batches gone to retention/DeleteRecords) -> any
//      sequence is accepted. Kafka returned UNKNOWN_PRODUCER_ID for this before 2.5; since KIP-360 it accepts.
// Batches replayed from the log on open (origin 'replay') and coordinator batches are not sequence-checked.
// A producer expires producer.id.expiration.ms (default 86400000 = 1 day) after the timestamp of its last batch
// (the batch's maxTimestamp, as Kafka) and is forgotten.
//
// Owner: shard (with the PartitionLog it belongs to).
import {
  ATTR_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
} from '@sluice/protocol/records/record-batch.ts';
import type { AppendOrigin } from './append-validator.ts';
import { type StorageError, storageError } from './storage-error.ts';

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  lastTimestamp: number;
  /** Kept for transactions (markers); -1 until then. */
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction, -1 when none (transactions are not written yet). */
  currentTxnFirstOffset: number;
}

/** One batch of an append that passed the checks, to be recorded once it is written. */
export interface PendingBatch {
  producerId: number;
  producerEpoch: number;
  firstSeq: number;
  lastSeq: number;
  /** Offset of the batch's first record relative to the append's base offset. */
  offsetDelta: number;
  lastOffsetDelta: number;
  timestamp: number;
}

export type ProducerCheck =
  | { kind: 'append'; batches: PendingBatch[] }
  | { kind: 'duplicate'; batch: BatchMetadata }
  | StorageError;

function i64(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
  const lo = ((buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]) >>> 0;
  return hi * 0x100000000 + lo;
}

function i32(buf: Uint8Array, pos: number): number {
  return (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
}

function i16(buf: Uint8Array, pos: number): number {
  return ((buf[pos] << 24) >> 16) | buf[pos + 1];
}

/** The sequence of a batch's last record: baseSequence + lastOffsetDelta, wrapping past Int32.MAX to 0. */
export function lastSequence(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > INT32_MAX - lastOffsetDelta
    ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1
    : baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateManager {
  readonly producerIdExpirationMs: number;
  private readonly entries = new Map<number, ProducerStateEntry>();

  constructor(producerIdExpirationMs = DEFAULT_PRODUCER_ID_EXPIRATION_MS) {
    this.producerIdExpirationMs = producerIdExpirationMs;
  }

  get size(): number {
    return this.entries.size;
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.entries.get(producerId);
  }

  /** Every producer, for snapshots and DescribeProducers. */
  activeProducers(): IterableIterator<ProducerStateEntry> {
    return this.entries.values();
  }

  /**
   * Checks the idempotent batches of one append (already validated for CRC and shape). Writes nothing: a
   * 'duplicate' answer means the append must not be written; 'append' carries what record() needs after the write.
   */
  check(records: Uint8Array, origin: AppendOrigin): ProducerCheck {
    const pending: PendingBatch[] = [];
    // What this append changes, so the second batch of one producer is checked against the first.
    let updated: Map<number, { epoch: number; lastSeq: number }> | null = null;
    let pos = 0;
    let offsetDelta = 0;
    while (pos < records.length) {
      const size = LOG_OVERHEAD + i32(records, pos + BATCH_LENGTH_OFFSET);
      const lastOffsetDelta = i32(records, pos + LAST_OFFSET_DELTA_OFFSET);
      const producerId = i64(records, pos + PRODUCER_ID_OFFSET);
      const control = ((records[pos + ATTRIBUTES_OFFSET + 1] ?? 0) & ATTR_CONTROL) !== 0;
      if (producerId >= 0 && !control) {
        const epoch = i16(records, pos + PRODUCER_EPOCH_OFFSET);
        const firstSeq = i32(records, pos + BASE_SEQUENCE_OFFSET);
        if (origin === 'client' && firstSeq < 0) {
          return storageError('INVALID_RECORD', `invalid sequence ${firstSeq} in a batch of producer ${producerId}`);
        }
        const lastSeq = lastSequence(firstSeq, lastOffsetDelta);
        const current = this.entries.get(producerId);
        if (origin === 'client' && current !== undefined && current.producerEpoch === epoch) {
          const dup = current.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
          if (dup !== undefined) return { kind: 'duplicate', batch: dup };
        }
        const mine = updated?.get(producerId);
        const currentEpoch = mine?.epoch ?? current?.producerEpoch ?? -1;
        if (epoch < currentEpoch) {
          return storageError(
            'INVALID_PRODUCER_EPOCH',
            `epoch ${epoch} of producer ${producerId} is older than the last seen epoch ${currentEpoch}`,
          );
        }
        if (origin === 'client' && currentEpoch >= 0) {
          if (epoch !== currentEpoch) {
            if (firstSeq !== 0) {
              return storageError(
                'OUT_OF_ORDER_SEQUENCE_NUMBER',
                `new epoch ${epoch} of producer ${producerId} must start at sequence 0, not ${firstSeq}`,
              );
            }
          } else {
            // An entry without batches (only markers seen) expects sequence 0, as Kafka's NO_SEQUENCE (-1) does.
            const last = mine?.lastSeq ?? current?.batches[current.batches.length - 1]?.lastSeq ?? -1;
            if (!inSequence(last, firstSeq)) {
              return storageError(
                'OUT_OF_ORDER_SEQUENCE_NUMBER',
                `out of order sequence ${firstSeq} for producer ${producerId}: expected ${last === INT32_MAX ? 0 : last + 1}`,
              );
            }
          }
        }
        updated ??= new Map();
        updated.set(producerId, { epoch, lastSeq });
        pending.push({
          producerId,
          producerEpoch: epoch,
          firstSeq,
          lastSeq,
          offsetDelta,
          lastOffsetDelta,
          timestamp: i64(records, pos + MAX_TIMESTAMP_OFFSET),
        });
      }
      offsetDelta += lastOffsetDelta + 1;
      pos += size;
    }
    return { kind: 'append', batches: pending };
  }

  /** Records the batches of a written append whose first record got `baseOffset`. */
  record(batches: readonly PendingBatch[], baseOffset: number): void {
    for (const b of batches) {
      const firstOffset = baseOffset + b.offsetDelta;
      this.addBatch(b.producerId, b.producerEpoch, {
        firstSeq: b.firstSeq,
        lastSeq: b.lastSeq,
        firstOffset,
        lastOffset: firstOffset + b.lastOffsetDelta,
        timestamp: b.timestamp,
      });
    }
  }

  /** Recovery: a batch read back from the log (header fields only), applied without checks. */
  replayBatch(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    baseOffset: number,
    lastOffset: number,
    maxTimestamp: number,
  ): void {
    if (producerId < 0) return;
    const current = this.entries.get(producerId);
    if (current !== undefined && producerEpoch < current.producerEpoch) return;
    this.addBatch(producerId, producerEpoch, {
      firstSeq: baseSequence,
      lastSeq: lastSequence(baseSequence, lastOffset - baseOffset),
      firstOffset: baseOffset,
      lastOffset,
      timestamp: maxTimestamp,
    });
  }

  private addBatch(producerId: number, epoch: number, batch: BatchMetadata): void {
    let e = this.entries.get(producerId);
    if (e === undefined) {
      e = {
        producerId,
        producerEpoch: epoch,
        batches: [],
        lastTimestamp: -1,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      };
      this.entries.set(producerId, e);
    }
    // A new epoch starts a new sequence space: the old epoch's batches can no longer be duplicates.
    if (e.producerEpoch !== epoch) {
      e.producerEpoch = epoch;
      e.batches = [];
    }
    e.batches.push(batch);
    if (e.batches.length > NUM_BATCHES_TO_RETAIN) e.batches.shift();
    e.lastTimestamp = batch.timestamp;
  }

  /** Puts a whole entry back (snapshot load); an expired one is dropped. */
  loadEntry(entry: ProducerStateEntry, nowMs: number): void {
    if (this.isExpired(entry, nowMs)) return;
    this.entries.set(entry.producerId, entry);
  }

  private isExpired(e: ProducerStateEntry, nowMs: number): boolean {
    return e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= this.producerIdExpirationMs;
  }

  /** Forgets producers idle for producer.id.expiration.ms. Returns how many went. */
  removeExpired(nowMs: number): number {
    let n = 0;
    for (const [id, e] of this.entries) {
      if (this.isExpired(e, nowMs)) {
        this.entries.delete(id);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
  }
}
