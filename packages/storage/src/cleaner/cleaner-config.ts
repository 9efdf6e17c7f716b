// Topic configs that steer compaction, with Kafka's names and defaults. `cleanup.policy` is `compact` or
// `compact,delete` for every log that gets a LogCleaner; retention of `compact,delete` logs stays the log's.
//
//   delete.retention.ms         86400000 (1 day)  tombstones stay this long after the pass that first kept them
//   min.cleanable.dirty.ratio   0.5               clean when dirty bytes / (clean + dirty bytes) exceeds it
//   min.compaction.lag.ms       0                 segments holding a record newer than this stay dirty
//   max.compaction.lag.ms       MAX_SAFE_INTEGER  a dirty segment older than this is cleaned whatever the ratio
//   segment.bytes               1 GiB             cleaned segments are grouped up to this size
//   segment.index.bytes         10 MiB            ... and up to this much index
//   index.interval.bytes        4096              one index entry per this many log bytes
//   offsetMapBytes              64 MiB            memory estimate for the key -> offset map of one pass (Kafka's
//                                                 log.cleaner.dedupe.buffer.size is 128 MiB shared by its threads)

import type { LogConfig } from '../log-config.ts';

export interface CleanerConfig {
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  segmentBytes: number;
  maxIndexBytes: number;
  indexIntervalBytes: number;
  offsetMapBytes: number;
}

export const DEFAULT_CLEANER_CONFIG: Readonly<CleanerConfig> = {
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  segmentBytes: 1024 * 1024 * 1024,
  maxIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  offsetMapBytes: 64 * 1024 * 1024,
};

export function cleanerConfig(overrides: Partial<CleanerConfig> = {}): CleanerConfig {
  return { ...DEFAULT_CLEANER_CONFIG, ...overrides };
}

/** The cleaner's settings from a log's topic config (read again at every step, so config changes apply at once). */
export function cleanerConfigOf(
  config: LogConfig,
  offsetMapBytes = DEFAULT_CLEANER_CONFIG.offsetMapBytes,
): CleanerConfig {
  return {
    deleteRetentionMs: config.deleteRetentionMs,
    minCleanableDirtyRatio: config.minCleanableDirtyRatio,
    minCompactionLagMs: config.minCompactionLagMs,
    maxCompactionLagMs: config.maxCompactionLagMs,
    segmentBytes: config.segmentBytes,
    maxIndexBytes: config.segmentIndexBytes,
    indexIntervalBytes: config.indexIntervalBytes,
    offsetMapBytes,
  };
}
