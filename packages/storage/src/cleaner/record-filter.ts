// What compaction keeps, as pure functions over one record batch v2 (Kafka's LogCleaner.shouldRetainRecord and
// MemoryRecords.filterTo). No I/O: the caller reads batches from segment files and writes what these return.
//
// Per record (non-control, non-transactional batches):
//   - no key                                  -> removed (a compacted log refuses them at append; old data only)
//   - an offset below the key's latest offset -> removed (the map holds the latest offset of every dirty key;
//                                                a key absent from the map (-1) is its own latest)
//   - a tombstone (null value)                -> kept until the batch's delete horizon has passed, then removed
// Per batch:
//   - control batches and transactional batches are kept byte for byte (the transaction work will refine this:
//     Kafka drops aborted data and markers past their horizon using the aborted-transaction index)
//   - nothing removed and no delete horizon needed -> the original bytes ('keep')
//   - every record removed -> dropped, unless the batch is its producer's last (producer state needs its last
//     offset and sequence): then an empty batch (61-byte header, recordsCount 0, codec none) with the same
//     baseOffset, lastOffsetDelta, producer id/epoch, baseSequence, epoch and maxTimestamp (Kafka's RETAIN_EMPTY)
//   - otherwise rebuilt ('rewrite') with the same codec, baseOffset, lastOffsetDelta (so baseSequence +
//     lastOffsetDelta stays the last sequence), producer fields, partitionLeaderEpoch, timestamp type; offsets of
//     the kept records are unchanged (gaps, never renumbering)
//   - a batch that keeps a tombstone and has no delete horizon yet gets one: attributes bit 6 set and
//     baseTimestamp = nowMs + delete.retention.ms (record timestamps stay exact: their deltas are rebased)
import {
  buildRecordBatch,
  type Record,
  type RecordBatchHeader,
  readBatchHeader,
  readRecords,
  updateCrc,
} from '@sluice/protocol/records/record-batch.ts';
import type { KeyOffsetMap } from './key-offset-map.ts';

export interface FilterContext {
  map: KeyOffsetMap;
  nowMs: number;
  deleteRetentionMs: number;
  /** True when the batch ending at `lastOffset` is the last batch of `producerId` in the log. */
  isLastBatchOfProducer(producerId: number, lastOffset: number): boolean;
}

export type BatchAction = 'keep' | 'drop' | 'rewrite';

export interface FilterResult {
  action: BatchAction;
  /** The rebuilt batch when action is 'rewrite'. */
  batch: Buffer | null;
  recordsRetained: number;
  recordsRemoved: number;
  /** Tombstones still in the written batch; their horizon is `deleteHorizonMs`. */
  tombstonesRetained: number;
  /** The written batch's delete horizon, -1 when it has none. */
  deleteHorizonMs: number;
  /** The batch could not be decoded: it is kept as it is and the caller counts it. */
  corrupt: boolean;
}

/** Kafka's shouldRetainRecord for magic 2. */
export function shouldRetainRecord(
  record: Record,
  header: RecordBatchHeader,
  map: KeyOffsetMap,
  nowMs: number,
): boolean {
  if (record.key === null) return false;
  const latest = map.get(record.key);
  if (record.offset < latest) return false;
  if (record.value !== null) return true;
  return !header.hasDeleteHorizonMs || nowMs < header.baseTimestamp;
}

/** Decides what the batch at `pos` becomes in the cleaned segment. */
export function filterBatch(buf: Uint8Array, pos: number, ctx: FilterContext): FilterResult {
  const header = readBatchHeader(buf, pos);
  const existingHorizon = header.hasDeleteHorizonMs ? header.baseTimestamp : -1;
  if (header.isControl || header.isTransactional) return result('keep', null, header.recordsCount, 0, 0, -1);
  let records: Record[];
  try {
    records = readRecords(buf, pos);
  } catch {
    return { ...result('keep', null, header.recordsCount, 0, 0, -1), corrupt: true };
  }
  const retained: Record[] = [];
  let tombstones = 0;
  for (const r of records) {
    if (!shouldRetainRecord(r, header, ctx.map, ctx.nowMs)) continue;
    retained.push(r);
    if (r.value === null) tombstones++;
  }
  const removed = records.length - retained.length;
  const lastOffset = header.baseOffset + header.lastOffsetDelta;
  if (retained.length === 0) {
    if (header.producerId >= 0 && ctx.isLastBatchOfProducer(header.producerId, lastOffset)) {
      if (removed === 0) return result('keep', null, 0, 0, 0, existingHorizon);
      return result('rewrite', emptyBatch(header), 0, removed, 0, -1);
    }
    return result('drop', null, 0, removed, 0, -1);
  }
  const needsHorizon = tombstones > 0 && !header.hasDeleteHorizonMs;
  if (removed === 0 && !needsHorizon) return result('keep', null, retained.length, 0, tombstones, existingHorizon);
  const horizon = needsHorizon ? ctx.nowMs + ctx.deleteRetentionMs : existingHorizon;
  const batch = buildRecordBatch({
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: header.compression,
    timestampType: header.timestampType,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    lastOffsetDelta: header.lastOffsetDelta,
    deleteHorizonMs: horizon >= 0 ? horizon : undefined,
    records: retained.map((r) => ({
      offsetDelta: r.offset - header.baseOffset,
      timestamp: r.timestamp,
      key: r.key,
      value: r.value,
      headers: r.headers,
    })),
  });
  return result('rewrite', batch, retained.length, removed, tombstones, tombstones > 0 ? horizon : -1);
}

/** Adds the keys of a batch to the map (dirty section). Control and transactional batches add nothing. */
export function addBatchToMap(buf: Uint8Array, pos: number, map: KeyOffsetMap): boolean {
  const header = readBatchHeader(buf, pos);
  if (header.isControl || header.isTransactional) return true;
  let records: Record[];
  try {
    records = readRecords(buf, pos);
  } catch {
    return false;
  }
  for (const r of records) if (r.key !== null) map.put(r.key, r.offset);
  return true;
}

/**
 * True when any record of the batch has a null key: a compacted log refuses such a batch (INVALID_RECORD, Kafka's
 * "Compacted topic cannot accept message without key"). Decompresses; call after validateRecordBatch (throws
 * DecodeError on bytes that pass the CRC but do not decode).
 */
export function batchHasNullKey(batch: Uint8Array, pos = 0): boolean {
  const header = readBatchHeader(batch, pos);
  if (header.isControl) return false;
  for (const r of readRecords(batch, pos)) if (r.key === null) return true;
  return false;
}

function emptyBatch(h: RecordBatchHeader): Buffer {
  const out = buildRecordBatch({
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    timestampType: h.timestampType,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    lastOffsetDelta: h.lastOffsetDelta,
    records: [],
  });
  // maxTimestamp i64 at byte 35 (inside the CRC): the producer's last timestamp, as Kafka's writeEmptyHeader keeps.
  out.writeInt32BE(Math.floor(h.maxTimestamp / 0x100000000), 35);
  out.writeUInt32BE(h.maxTimestamp >>> 0, 39);
  updateCrc(out, 0);
  return out;
}

function result(
  action: BatchAction,
  batch: Buffer | null,
  recordsRetained: number,
  recordsRemoved: number,
  tombstonesRetained: number,
  deleteHorizonMs: number,
): FilterResult {
  return { action, batch, recordsRetained, recordsRemoved, tombstonesRetained, deleteHorizonMs, corrupt: false };
}
