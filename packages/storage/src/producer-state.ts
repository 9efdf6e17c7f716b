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
// Transactions (KIP-98): a transactional batch (attributes bit 4) opens the producer's transaction at its first
// offset (currentTxnFirstOffset) unless one is open; an end-transaction marker (a control batch, bit 5, written by
// the transaction coordinator with origin 'coordinator') closes it and yields a CompletedTxn (firstOffset = the
// transaction's first offset, or the marker's own offset when nothing was written; lastOffset = the marker's).
// Marker checks, as Kafka's appendEndTxnMarker: epoch < current -> INVALID_PRODUCER_EPOCH; coordinatorEpoch below
// the last one seen -> TRANSACTION_COORDINATOR_FENCED; a higher epoch (a timeout abort bumps it) becomes current.
// A client batch that is not transactional while the producer's transaction is open -> INVALID_TXN_STATE.
// firstUnstableOffset() = the smallest currentTxnFirstOffset: the partition's last stable offset cannot pass it.
// A producer expires producer.id.expiration.ms (default 86400000 = 1 day) after the timestamp of its last batch
// (the batch's maxTimestamp, as Kafka) and is forgotten.
//
// Owner: shard (with the PartitionLog it belongs to).

import { CONTROL_TYPE_COMMIT, readEndTxnMarkerBatch } from '@sluice/protocol/records/control-record.ts';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
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
  /** Attributes bit 4. */
  transactional: boolean;
  /** The end-transaction marker of a control batch, null for data. */
  marker: EndTxnMarkerInfo | null;
}

export interface EndTxnMarkerInfo {
  committed: boolean;
  coordinatorEpoch: number;
}

/** A transaction ended by a marker (Kafka's CompletedTxn). */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the marker. */
  lastOffset: number;
  aborted: boolean;
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
  /** Producers with an open transaction (currentTxnFirstOffset >= 0); few at a time, so a scan finds the min. */
  private readonly ongoing = new Set<number>();

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
      const attributes = records[pos + ATTRIBUTES_OFFSET + 1] ?? 0;
      const control = (attributes & ATTR_CONTROL) !== 0;
      const transactional = (attributes & ATTR_TRANSACTIONAL) !== 0;
      if (producerId >= 0 && control) {
        const checked = this.checkMarker(records, pos, size, producerId, updated?.get(producerId)?.epoch);
        if ('errorCode' in checked) return checked;
        updated ??= new Map();
        updated.set(producerId, { epoch: checked.producerEpoch, lastSeq: -1 });
        pending.push({
          producerId,
          producerEpoch: checked.producerEpoch,
          firstSeq: -1,
          lastSeq: -1,
          offsetDelta,
          lastOffsetDelta,
          timestamp: i64(records, pos + MAX_TIMESTAMP_OFFSET),
          transactional: true,
          marker: checked.marker,
        });
      } else if (producerId >= 0) {
        const epoch = i16(records, pos + PRODUCER_EPOCH_OFFSET);
        if (origin === 'client' && !transactional && (this.entries.get(producerId)?.currentTxnFirstOffset ?? -1) >= 0) {
          return storageError(
            'INVALID_TXN_STATE',
            `non-transactional batch of producer ${producerId} in its transaction`,
          );
        }
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
          transactional,
          marker: null,
        });
      }
      offsetDelta += lastOffsetDelta + 1;
      pos += size;
    }
    return { kind: 'append', batches: pending };
  }

  private checkMarker(
    records: Uint8Array,
    pos: number,
    size: number,
    producerId: number,
    epochInThisAppend: number | undefined,
  ): { producerEpoch: number; marker: EndTxnMarkerInfo } | StorageError {
    let m: ReturnType<typeof readEndTxnMarkerBatch>;
    try {
      m = readEndTxnMarkerBatch(records.subarray(pos, pos + size));
    } catch (err) {
      return storageError('INVALID_RECORD', `control batch of producer ${producerId}: ${(err as Error).message}`);
    }
    const current = this.entries.get(producerId);
    const currentEpoch = epochInThisAppend ?? current?.producerEpoch ?? -1;
    if (m.producerEpoch < currentEpoch) {
      return storageError(
        'INVALID_PRODUCER_EPOCH',
        `marker epoch ${m.producerEpoch} of producer ${producerId} is older than ${currentEpoch}`,
      );
    }
    if (current !== undefined && m.coordinatorEpoch < current.coordinatorEpoch) {
      return storageError(
        'TRANSACTION_COORDINATOR_FENCED',
        `marker coordinator epoch ${m.coordinatorEpoch} < ${current.coordinatorEpoch} for producer ${producerId}`,
      );
    }
    return {
      producerEpoch: m.producerEpoch,
      marker: { committed: m.type === CONTROL_TYPE_COMMIT, coordinatorEpoch: m.coordinatorEpoch },
    };
  }

  /**
   * Records the batches of a written append whose first record got `baseOffset`. Returns the transactions its
   * markers ended, in offset order.
   */
  record(batches: readonly PendingBatch[], baseOffset: number): CompletedTxn[] {
    const completed: CompletedTxn[] = [];
    for (const b of batches) {
      const firstOffset = baseOffset + b.offsetDelta;
      if (b.marker !== null) {
        completed.push(this.endTxn(b.producerId, b.producerEpoch, firstOffset, b.marker, b.timestamp));
        continue;
      }
      if (b.transactional) this.beginTxn(b.producerId, b.producerEpoch, firstOffset);
      this.addBatch(b.producerId, b.producerEpoch, {
        firstSeq: b.firstSeq,
        lastSeq: b.lastSeq,
        firstOffset,
        lastOffset: firstOffset + b.lastOffsetDelta,
        timestamp: b.timestamp,
      });
    }
    return completed;
  }

  /** The first offset of the earliest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    let min: number | null = null;
    for (const id of this.ongoing) {
      const first = this.entries.get(id)?.currentTxnFirstOffset ?? -1;
      if (first >= 0 && (min === null || first < min)) min = first;
    }
    return min;
  }

  /** Recovery: an end-transaction marker read back from the log at `offset`, applied without checks. */
  replayMarker(
    producerId: number,
    producerEpoch: number,
    offset: number,
    marker: EndTxnMarkerInfo,
    timestamp: number,
  ): CompletedTxn {
    return this.endTxn(producerId, producerEpoch, offset, marker, timestamp);
  }

  private beginTxn(producerId: number, epoch: number, firstOffset: number): void {
    const e = this.entry(producerId, epoch);
    if (e.currentTxnFirstOffset < 0) {
      e.currentTxnFirstOffset = firstOffset;
      this.ongoing.add(producerId);
    }
  }

  private endTxn(
    producerId: number,
    epoch: number,
    offset: number,
    marker: EndTxnMarkerInfo,
    timestamp: number,
  ): CompletedTxn {
    const e = this.entry(producerId, epoch);
    if (epoch > e.producerEpoch) {
      e.producerEpoch = epoch;
      e.batches = [];
    }
    const firstOffset = e.currentTxnFirstOffset >= 0 ? e.currentTxnFirstOffset : offset;
    e.currentTxnFirstOffset = -1;
    e.coordinatorEpoch = marker.coordinatorEpoch;
    if (timestamp > e.lastTimestamp) e.lastTimestamp = timestamp;
    this.ongoing.delete(producerId);
    return { producerId, firstOffset, lastOffset: offset, aborted: !marker.committed };
  }

  private entry(producerId: number, epoch: number): ProducerStateEntry {
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
    return e;
  }

  /** Recovery: a batch read back from the log (header fields only), applied without checks. */
  replayBatch(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    baseOffset: number,
    lastOffset: number,
    maxTimestamp: number,
    transactional = false,
  ): void {
    if (producerId < 0) return;
    const current = this.entries.get(producerId);
    if (current !== undefined && producerEpoch < current.producerEpoch) return;
    if (transactional) this.beginTxn(producerId, producerEpoch, baseOffset);
    this.addBatch(producerId, producerEpoch, {
      firstSeq: baseSequence,
      lastSeq: lastSequence(baseSequence, lastOffset - baseOffset),
      firstOffset: baseOffset,
      lastOffset,
      timestamp: maxTimestamp,
    });
  }

  private addBatch(producerId: number, epoch: number, batch: BatchMetadata): void {
    const e = this.entry(producerId, epoch);
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
    if (entry.currentTxnFirstOffset >= 0) this.ongoing.add(entry.producerId);
    else this.ongoing.delete(entry.producerId);
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
    this.ongoing.clear();
  }
}
