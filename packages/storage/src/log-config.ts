// Per-log configuration, named after Kafka's topic configs (camelCase of the dotted name). Defaults are Kafka 4's
// unless the line says why not. A PartitionLog reads its `config` at every turn (append, retention, cleaner step),
// so replacing it whole (a dynamic topic config change) takes effect at the next one.

/** cleanup.policy: a comma-separated list in Kafka; these are its three meaningful values. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export interface LogConfig {
  /** segment.bytes: roll when the active segment would exceed this. Kafka: 1 GiB. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first timestamp is this old. Kafka: 7 days. */
  segmentMs: number;
  /** segment.index.bytes: preallocated size of each index of the active segment. Kafka: 10 MiB. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes between index entries. Kafka: 4096 (<= 4 KiB scanned after the binary search). */
  indexIntervalBytes: number;
  /** retention.ms: delete whole segments whose newest timestamp is older; -1 keeps forever. Kafka: 7 days. */
  retentionMs: number;
  /** retention.bytes: delete oldest whole segments while the log is larger; -1 no limit. Kafka: -1. */
  retentionBytes: number;
  /** max.message.bytes: largest batch (LOG_OVERHEAD + batchLength). Kafka: 1048588. */
  maxMessageBytes: number;
  /** message.timestamp.type. Kafka: CreateTime. */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms: how far in the past a CreateTime timestamp may be. Kafka: Long.MAX. */
  messageTimestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms: how far in the future. Kafka 4: 3600000 (KIP-1030). */
  messageTimestampAfterMaxMs: number;
  /**
   * flush.messages: fdatasync after this many unflushed records even when nobody waits. Kafka: Long.MAX (it relies
   * on replication); here acknowledgements wait for durability by default, so waiters drive most flushes.
   */
  flushMessages: number;
  /**
   * flush.ms: fdatasync unflushed data at least this often. Kafka: Long.MAX. Here 1000: the highWatermark is the
   * end of what is durable, so data nobody waits for (acks=0) becomes visible to consumers within a second.
   */
  flushMs: number;
  /**
   * Acknowledge on append, before fdatasync (explicit opt-in, not a Kafka config): an acknowledged batch may be lost
   * if the machine (not just the process) crashes before the next flush. highWatermark then follows logEndOffset.
   */
  ackBeforeFsync: boolean;
  /** Not a Kafka config: pending offset-index bytes written per group commit (4096; tests set it low). */
  indexFlushBytes: number;
  /**
   * cleanup.policy. Kafka: delete. `compact` keeps the latest record per key (the log cleaner) and refuses keyless
   * records; retention by time and size runs only when the policy includes `delete`.
   */
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: how long a tombstone stays after the cleaner first kept it. Kafka: 1 day. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: clean when dirty / (clean + dirty) bytes exceeds it. Kafka: 0.5. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: a record stays uncompacted at least this long. Kafka: 0. */
  minCompactionLagMs: number;
  /**
   * max.compaction.lag.ms: a record becomes eligible for compaction at most this long after it was written (the
   * active segment of a compacted log rolls at min(segment.ms, this), KIP-354). Kafka: Long.MAX.
   */
  maxCompactionLagMs: number;
  /** file.delete.delay.ms: how long `.deleted` segment files stay so reads in flight finish. Kafka: 60000. */
  fileDeleteDelayMs: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  maxMessageBytes: 1048588,
  messageTimestampType: 'CreateTime',
  messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  messageTimestampAfterMaxMs: 3600000,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: 1000,
  ackBeforeFsync: false,
  fileDeleteDelayMs: 60000,
  indexFlushBytes: 4096,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/**
 * The policy includes `compact`. Read loosely ('delete,compact', spaces, any case) because topic configs may arrive
 * as the client wrote them.
 */
export function isCompacted(config: Pick<LogConfig, 'cleanupPolicy'>): boolean {
  return String(config.cleanupPolicy).toLowerCase().includes('compact');
}

/** The policy includes `delete`: retention by time and size applies. */
export function deletesByRetention(config: Pick<LogConfig, 'cleanupPolicy'>): boolean {
  return String(config.cleanupPolicy).toLowerCase().includes('delete');
}

/**
 * segment.ms as the active segment's roll deadline: for compacted logs min(segment.ms, max.compaction.lag.ms), so a
 * dirty record waits at most max.compaction.lag.ms (Kafka's LogConfig.maxSegmentMs).
 */
export function maxSegmentMs(config: LogConfig): number {
  if (isCompacted(config) && config.maxCompactionLagMs > 0)
    return Math.min(config.segmentMs, config.maxCompactionLagMs);
  return config.segmentMs;
}
