// Produce v3+'s shape rule for one partition's records (Kafka's ProduceRequest.validateRecords, read with
// ByteBufferLogInputStream): exactly one magic-2 batch, zstd only from Produce v7. Reads batch headers only:
//   at least 12 bytes (baseOffset i64, batchLength i32), batchLength >= 14 (Kafka's smallest record) else
//   CORRUPT_MESSAGE; a trailing partial batch ends the walk (Kafka trims it); no whole batch -> INVALID_RECORD
//   "at least one"; a second whole batch -> INVALID_RECORD "exactly one"; codec 4 (zstd, attributes bits 0-2) before
//   v7 -> UNSUPPORTED_COMPRESSION_TYPE.
import { ErrorCode } from '../error-codes.ts';

const LOG_OVERHEAD = 12;
const BATCH_LENGTH_OFFSET = 8;
const ATTRIBUTES_OFFSET = 21;
// LegacyRecord.RECORD_OVERHEAD_V0: the smallest record Kafka reads before calling a size corrupt.
const MIN_RECORD_SIZE = 14;
const ZSTD = 4;

export interface ShapeError {
  errorCode: number;
  errorMessage: string;
}

export function checkProduceBatchShape(records: Uint8Array, apiVersion: number): ShapeError | null {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let batches = 0;
  let pos = 0;
  while (records.length - pos >= LOG_OVERHEAD) {
    const size = view.getInt32(pos + BATCH_LENGTH_OFFSET);
    if (size < MIN_RECORD_SIZE) {
      return {
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        errorMessage: `Record size ${size} is less than the minimum record overhead (${MIN_RECORD_SIZE})`,
      };
    }
    if (records.length - pos < LOG_OVERHEAD + size) break;
    batches++;
    if (batches === 1 && apiVersion < 7 && (view.getInt16(pos + ATTRIBUTES_OFFSET) & 7) === ZSTD) {
      return {
        errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        errorMessage: `Produce requests with version ${apiVersion} are not allowed to use ZStandard compression`,
      };
    }
    pos += LOG_OVERHEAD + size;
  }
  if (batches === 0) {
    return {
      errorCode: ErrorCode.INVALID_RECORD,
      errorMessage: `Produce requests with version ${apiVersion} must have at least one record batch per partition`,
    };
  }
  if (batches > 1) {
    return {
      errorCode: ErrorCode.INVALID_RECORD,
      errorMessage: `Produce requests with version ${apiVersion} are only allowed to contain exactly one record batch per partition`,
    };
  }
  return null;
}
