// Errors of the append, read and flush paths, as values with Kafka's error names (throw is for bugs and start-up).
// The numbers are Kafka's protocol error codes, so a handler can put them on the wire unchanged.

export const STORAGE_ERROR_CODES = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TIMESTAMP: 32,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  TRANSACTION_COORDINATOR_FENCED: 52,
  KAFKA_STORAGE_ERROR: 56,
  INVALID_RECORD: 87,
} as const;

export type StorageErrorCode = keyof typeof STORAGE_ERROR_CODES;

/** One refused record (Produce v8+ recordErrors): its index among the records of the request's partition data. */
export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

export interface StorageError {
  errorCode: StorageErrorCode;
  message: string;
  /** The records that made an INVALID_RECORD append fail, when known (Produce's recordErrors). */
  recordErrors?: RecordError[];
}

export function storageError(errorCode: StorageErrorCode, message: string): StorageError {
  return { errorCode, message };
}

/** An I/O failure (ENOSPC, EIO, ...) as KAFKA_STORAGE_ERROR; the message keeps the errno code. */
export function ioError(what: string, err: unknown): StorageError {
  const e = err as { code?: string; message?: string };
  return { errorCode: 'KAFKA_STORAGE_ERROR', message: `${what}: ${e?.code ?? ''} ${e?.message ?? String(err)}`.trim() };
}
