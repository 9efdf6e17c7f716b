// Checks the record batches of one produce (for one partition) before anything is written, then assigns offsets
// in place. All batches are checked first, so a request is appended whole or not at all (Kafka's LogValidator):
//   - each batch: length fits, magic 2, CRC-32C                         -> CORRUPT_MESSAGE (INVALID_RECORD for magic)
//   - size (12 + batchLength) <= max.message.bytes                      -> MESSAGE_TOO_LARGE
//   - all batches together <= segment.bytes                             -> RECORD_LIST_TOO_LARGE
//   - client batches: recordsCount == lastOffsetDelta + 1 (offsets sequential inside the batch), recordsCount > 0,
//     no control batches (only coordinators write markers)            -> INVALID_RECORD
//   - CreateTime: baseTimestamp and maxTimestamp (-1 = none) within
//     [now - message.timestamp.before.max.ms, now + after.max.ms]     -> INVALID_TIMESTAMP
//   - client batches of compacted topics (cleanup.policy has compact):
//     every record has a key                                           -> INVALID_RECORD, with recordErrors
// Records are not decoded (ARCHITECTURE.md §3: batches stay bytes on the produce path) except for that key check
// (the one place the batch is decompressed), so timestamps are checked on the batch header: maxTimestamp bounds
// every record from above and baseTimestamp is the first record's.
// Then: baseOffset := next offset, partitionLeaderEpoch := leader epoch (both outside the CRC), and for
// LogAppendTime topics attributes bit 3 + maxTimestamp := now with the CRC recomputed.
import {
  ATTR_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  RECORDS_COUNT_OFFSET,
  readRecords,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateRecordBatch,
} from '@sluice/protocol/records/record-batch.ts';
import { isCompacted, type LogConfig } from './log-config.ts';
import { type RecordError, type StorageError, storageError } from './storage-error.ts';

/** Who wrote the batches: clients get every check; coordinators may write control batches. */
export type AppendOrigin = 'client' | 'coordinator';

export interface ValidatedBatches {
  batches: number;
  records: number;
  bytes: number;
  maxTimestamp: number;
}

function i64(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
  const lo = ((buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]) >>> 0;
  return hi * 0x100000000 + lo;
}

function i32(buf: Uint8Array, pos: number): number {
  return (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
}

/**
 * Checks every batch of `records`; returns what they hold, or the first error. Writes nothing. `topicPartition`
 * ("<topic>-<partition>") only names the partition in the keyless-record message.
 */
export function validateBatches(
  records: Uint8Array,
  config: LogConfig,
  origin: AppendOrigin,
  nowMs: number,
  topicPartition = '',
): ValidatedBatches | StorageError {
  const end = records.length;
  if (end === 0) return storageError('INVALID_RECORD', 'no record batch');
  let pos = 0;
  let batches = 0;
  let count = 0;
  let maxTimestamp = -1;
  while (pos < end) {
    const bad = validateRecordBatch(records, pos, end);
    if (bad !== null) {
      return storageError(
        bad.code === 'UNSUPPORTED_MAGIC' ? 'INVALID_RECORD' : bad.code,
        `batch ${batches}: ${bad.message}`,
      );
    }
    const size = LOG_OVERHEAD + i32(records, pos + BATCH_LENGTH_OFFSET);
    if (size > config.maxMessageBytes) {
      return storageError(
        'MESSAGE_TOO_LARGE',
        `batch of ${size} bytes exceeds max.message.bytes ${config.maxMessageBytes}`,
      );
    }
    const recordsCount = i32(records, pos + RECORDS_COUNT_OFFSET);
    const lastOffsetDelta = i32(records, pos + LAST_OFFSET_DELTA_OFFSET);
    if (origin === 'client') {
      if (recordsCount <= 0 || recordsCount !== lastOffsetDelta + 1) {
        return storageError('INVALID_RECORD', `recordsCount ${recordsCount} != lastOffsetDelta ${lastOffsetDelta} + 1`);
      }
      if (((records[pos + ATTRIBUTES_OFFSET + 1] ?? 0) & ATTR_CONTROL) !== 0) {
        return storageError('INVALID_RECORD', 'clients may not write control batches');
      }
    } else if (lastOffsetDelta < 0) {
      return storageError('INVALID_RECORD', `negative lastOffsetDelta ${lastOffsetDelta}`);
    }
    const batchMax = i64(records, pos + MAX_TIMESTAMP_OFFSET);
    if (config.messageTimestampType === 'CreateTime') {
      for (const ts of [i64(records, pos + BASE_TIMESTAMP_OFFSET), batchMax]) {
        if (ts === -1) continue;
        if (ts < nowMs - config.messageTimestampBeforeMaxMs || ts > nowMs + config.messageTimestampAfterMaxMs) {
          return storageError('INVALID_TIMESTAMP', `timestamp ${ts} is out of range for now ${nowMs}`);
        }
      }
    }
    if (batchMax > maxTimestamp) maxTimestamp = batchMax;
    count += lastOffsetDelta + 1;
    batches++;
    pos += size;
  }
  if (end > config.segmentBytes) {
    return storageError('RECORD_LIST_TOO_LARGE', `${end} bytes exceed segment.bytes ${config.segmentBytes}`);
  }
  if (origin === 'client' && isCompacted(config)) {
    const keyless = keylessRecords(records, topicPartition);
    if (keyless !== null) return keyless;
  }
  if (config.messageTimestampType === 'LogAppendTime') maxTimestamp = nowMs;
  return { batches, records: count, bytes: end, maxTimestamp };
}

/**
 * Kafka's LogValidator key check for compacted topics: every record without a key is a record error (all of them,
 * as Kafka lists them). Runs on batches already checked for length and CRC; a batch that does not decompress is
 * CORRUPT_MESSAGE.
 */
function keylessRecords(records: Uint8Array, topicPartition: string): StorageError | null {
  const message = `Compacted topic cannot accept message without key in topic partition ${topicPartition}.`;
  const errors: RecordError[] = [];
  let pos = 0;
  let index = 0;
  while (pos < records.length) {
    let decoded: ReturnType<typeof readRecords>;
    try {
      decoded = readRecords(records, pos);
    } catch (err) {
      return storageError('CORRUPT_MESSAGE', `batch at byte ${pos} does not decode: ${(err as Error).message}`);
    }
    for (const r of decoded) {
      if (r.key === null) errors.push({ batchIndex: index, batchIndexErrorMessage: message });
      index++;
    }
    pos += LOG_OVERHEAD + i32(records, pos + BATCH_LENGTH_OFFSET);
  }
  if (errors.length === 0) return null;
  return { errorCode: 'INVALID_RECORD', message, recordErrors: errors };
}

/**
 * Patches validated batches in place: consecutive offsets from `baseOffset`, the leader epoch (when >= 0), and
 * LogAppendTime. Returns the offset after the last record.
 */
export function assignOffsets(
  records: Uint8Array,
  baseOffset: number,
  partitionLeaderEpoch: number,
  logAppendTime: number,
): number {
  let pos = 0;
  let next = baseOffset;
  while (pos < records.length) {
    setBaseOffset(records, pos, next);
    if (partitionLeaderEpoch >= 0) setPartitionLeaderEpoch(records, pos, partitionLeaderEpoch);
    if (logAppendTime >= 0) setLogAppendTime(records, pos, logAppendTime);
    next += i32(records, pos + LAST_OFFSET_DELTA_OFFSET) + 1;
    pos += LOG_OVERHEAD + i32(records, pos + BATCH_LENGTH_OFFSET);
  }
  return next;
}
