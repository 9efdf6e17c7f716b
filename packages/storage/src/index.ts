// @sluice/storage: partition logs on disk in Kafka's layout and formats. Synchronous file I/O, for shard threads.
export { type AppendOrigin, assignOffsets, validateBatches } from './append-validator.ts';
export { type BatchInfo, BatchScanner } from './batch-scanner.ts';
export { readCheckpoint, writeCheckpoint } from './checkpoint-file.ts';
export {
  type CleanerConfig,
  cleanerConfig,
  cleanerConfigOf,
  DEFAULT_CLEANER_CONFIG,
} from './cleaner/cleaner-config.ts';
export { type CleanerStats, type CleanStepResult, LogCleaner } from './cleaner/log-cleaner.ts';
export { batchHasNullKey } from './cleaner/record-filter.ts';
export { recoverCleanerSwap, type SwapRecovery } from './cleaner/segment-swap.ts';
export {
  type BackgroundSync,
  type FileOps,
  fdatasyncEach,
  fdatasyncStartEach,
  readFully,
  realFileOps,
  writeFully,
} from './file-ops.ts';
export { type DurableCallback, GroupCommit } from './group-commit.ts';
export { type EpochEntry, LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from './leader-epoch-cache.ts';
export {
  type CleanupPolicy,
  DEFAULT_LOG_CONFIG,
  deletesByRetention,
  isCompacted,
  type LogConfig,
  logConfig,
  maxSegmentMs,
} from './log-config.ts';
export { CLEAN_SHUTDOWN_FILE, LOG_START_OFFSET_CHECKPOINT, LogManager, type LogManagerOptions } from './log-manager.ts';
export { type BatchLocation, LogSegment, type SegmentConfig, segmentFileName } from './log-segment.ts';
export { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex, type OffsetPosition } from './offset-index.ts';
export {
  type AppendOptions,
  type AppendResult,
  type AppendSuccess,
  type FlushTicket,
  type OpenOptions,
  PartitionLog,
  type ReadOptions,
  type ReadResult,
} from './partition-log.ts';
export {
  type BatchMetadata,
  type CompletedTxn,
  DEFAULT_PRODUCER_ID_EXPIRATION_MS,
  type EndTxnMarkerInfo,
  lastSequence,
  NUM_BATCHES_TO_RETAIN,
  type ProducerStateEntry,
  ProducerStateManager,
} from './producer-state.ts';
export { type ProducerStateRecovery, recoverProducerState } from './producer-state-recovery.ts';
export {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  SNAPSHOT_VERSION,
} from './producer-state-snapshot-format.ts';
export { ProducerStateSnapshots, SNAPSHOT_SUFFIX } from './producer-state-snapshots.ts';
export {
  ioError,
  type RecordError,
  STORAGE_ERROR_CODES,
  type StorageError,
  type StorageErrorCode,
  storageError,
} from './storage-error.ts';
export { TIME_INDEX_ENTRY_SIZE, TimeIndex, type TimestampOffset } from './time-index.ts';
export {
  ABORTED_TXN_SIZE,
  type AbortedTransaction,
  type AbortedTxn,
  decodeAbortedTxns,
  encodeAbortedTxns,
  TransactionIndexes,
  TXN_INDEX_SUFFIX,
} from './transaction-index.ts';
