// Every topic-level config of Kafka 4.x (LogConfig / TopicConfig / QuotaConfig), with Kafka's types, defaults,
// valid values and the broker synonyms each falls back to, in the order Kafka resolves and reports them
// (ServerTopicConfigSynonyms): e.g. retention.ms <- log.retention.ms <- log.retention.minutes <- log.retention.hours.
// Removed in 4.0 and therefore absent: message.format.version (accepted and dropped, see REMOVED_TOPIC_CONFIGS),
// message.downconversion.enable, message.timestamp.difference.max.ms.
import type { ConfigDef } from './config-def.ts';

const LONG_MAX = '9223372036854775807';
export const CLEANUP_POLICIES = ['compact', 'delete'] as const;
export const BROKER_COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;

export const TOPIC_CONFIG_DEFS = {
  'cleanup.policy': {
    type: 'list',
    default: 'delete',
    validator: { kind: 'list-of', values: CLEANUP_POLICIES },
    importance: 'medium',
    documentation:
      'Retention policy for old segments: "delete" (by time/size), "compact" (latest value per key), or both.',
  },
  'compression.type': {
    type: 'string',
    default: 'producer',
    validator: { kind: 'one-of', values: BROKER_COMPRESSION_TYPES },
    importance: 'medium',
    documentation: 'Final compression of the topic\'s data; "producer" keeps the codec the producer used.',
  },
  'compression.gzip.level': {
    type: 'int',
    default: '-1',
    validator: { kind: 'range-or', min: 1, max: 9, or: -1 },
    importance: 'medium',
    documentation: 'Compression level when compression.type is gzip (-1: the codec default).',
  },
  'compression.lz4.level': {
    type: 'int',
    default: '9',
    validator: { kind: 'range', min: 1, max: 17 },
    importance: 'medium',
    documentation: 'Compression level when compression.type is lz4.',
  },
  'compression.zstd.level': {
    type: 'int',
    default: '3',
    validator: { kind: 'range', min: -131072, max: 22 },
    importance: 'medium',
    documentation: 'Compression level when compression.type is zstd.',
  },
  'delete.retention.ms': {
    type: 'long',
    default: '86400000',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'How long tombstones are kept on compacted topics after the cleaner reaches them.',
  },
  'file.delete.delay.ms': {
    type: 'long',
    default: '60000',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'Delay before a segment renamed .deleted is unlinked.',
  },
  'flush.messages': {
    type: 'long',
    default: LONG_MAX,
    validator: { kind: 'range', min: 1 },
    importance: 'medium',
    documentation: 'Force an fsync after this many messages (Sluice fsyncs every acknowledged batch anyway).',
  },
  'flush.ms': {
    type: 'long',
    default: LONG_MAX,
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'Force an fsync after this much time.',
  },
  'follower.replication.throttled.replicas': {
    type: 'list',
    default: '',
    importance: 'medium',
    documentation: 'Replicas ([PartitionId]:[BrokerId],... or *) whose follower-side replication is throttled.',
  },
  'index.interval.bytes': {
    type: 'int',
    default: '4096',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'Bytes of log between two offset index entries.',
  },
  'leader.replication.throttled.replicas': {
    type: 'list',
    default: '',
    importance: 'medium',
    documentation: 'Replicas ([PartitionId]:[BrokerId],... or *) whose leader-side replication is throttled.',
  },
  'local.retention.bytes': {
    type: 'long',
    default: '-2',
    validator: { kind: 'range', min: -2 },
    importance: 'medium',
    documentation: 'Tiered storage: bytes kept locally (-2: retention.bytes).',
  },
  'local.retention.ms': {
    type: 'long',
    default: '-2',
    validator: { kind: 'range', min: -2 },
    importance: 'medium',
    documentation: 'Tiered storage: time kept locally (-2: retention.ms).',
  },
  'max.compaction.lag.ms': {
    type: 'long',
    default: LONG_MAX,
    validator: { kind: 'range', min: 1 },
    importance: 'medium',
    documentation: 'Maximum time a message stays ineligible for compaction.',
  },
  'max.message.bytes': {
    type: 'int',
    default: '1048588',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'Largest record batch size allowed, after compression.',
  },
  'message.timestamp.after.max.ms': {
    type: 'long',
    default: '3600000',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'How far a CreateTime timestamp may be ahead of the broker clock (1 hour since Kafka 4.0).',
  },
  'message.timestamp.before.max.ms': {
    type: 'long',
    default: LONG_MAX,
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'How far a CreateTime timestamp may be behind the broker clock.',
  },
  'message.timestamp.type': {
    type: 'string',
    default: 'CreateTime',
    validator: { kind: 'one-of', values: TIMESTAMP_TYPES },
    importance: 'medium',
    documentation: "Whether record timestamps are the producer's CreateTime or LogAppendTime.",
  },
  'min.cleanable.dirty.ratio': {
    type: 'double',
    default: '0.5',
    validator: { kind: 'range', min: 0, max: 1 },
    importance: 'medium',
    documentation: 'Minimum ratio of dirty log to total log before the cleaner compacts a log.',
  },
  'min.compaction.lag.ms': {
    type: 'long',
    default: '0',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'Minimum time a message stays uncompacted.',
  },
  'min.insync.replicas': {
    type: 'int',
    default: '1',
    validator: { kind: 'range', min: 1 },
    importance: 'medium',
    documentation: 'Minimum in-sync replicas for an acks=all produce to succeed.',
  },
  preallocate: {
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    documentation: 'Preallocate the segment file when a new segment is created.',
  },
  'remote.log.copy.disable': {
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    documentation: 'Tiered storage: stop copying segments to remote storage (reads still served).',
  },
  'remote.log.delete.on.disable': {
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    documentation: 'Tiered storage: delete remote data when remote storage is disabled for the topic.',
  },
  'remote.storage.enable': {
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    documentation: 'Tiered storage for this topic (Sluice has none; only false is useful).',
  },
  'retention.bytes': {
    type: 'long',
    default: '-1',
    importance: 'medium',
    documentation: 'Maximum size of a partition before old segments are deleted (-1: no limit).',
  },
  'retention.ms': {
    type: 'long',
    default: '604800000',
    validator: { kind: 'range', min: -1 },
    importance: 'medium',
    documentation: "Maximum age of a segment's newest record before the segment is deleted (-1: no limit).",
  },
  'segment.bytes': {
    type: 'int',
    default: '1073741824',
    validator: { kind: 'range', min: 1048576 },
    importance: 'medium',
    documentation: 'Segment file size at which the log rolls.',
  },
  'segment.index.bytes': {
    type: 'int',
    default: '10485760',
    validator: { kind: 'range', min: 4 },
    importance: 'medium',
    documentation: 'Size of the offset and time index files (preallocated, trimmed on roll).',
  },
  'segment.jitter.ms': {
    type: 'long',
    default: '0',
    validator: { kind: 'range', min: 0 },
    importance: 'medium',
    documentation: 'Maximum random jitter subtracted from segment.ms so segments do not all roll at once.',
  },
  'segment.ms': {
    type: 'long',
    default: '604800000',
    validator: { kind: 'range', min: 1 },
    importance: 'medium',
    documentation: 'Time after which the log rolls even if the segment is not full.',
  },
  'unclean.leader.election.enable': {
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    documentation: 'Allow an out-of-sync replica to become leader (data loss possible).',
  },
} as const satisfies Record<string, ConfigDef>;

export type TopicConfigName = keyof typeof TOPIC_CONFIG_DEFS;
export const TOPIC_CONFIG_NAMES = Object.keys(TOPIC_CONFIG_DEFS).sort() as TopicConfigName[];

/** Topic configs removed in Kafka 4.0 that Kafka still accepts and drops, so old tools keep working. */
export const REMOVED_TOPIC_CONFIGS: ReadonlySet<string> = new Set(['message.format.version']);

/** A broker synonym; `toMs` converts its unit to the topic config's milliseconds (hours, minutes). */
export interface TopicSynonym {
  readonly name: string;
  readonly toMs?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Topic config -> broker synonyms, highest priority first (ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS). */
export const TOPIC_CONFIG_SYNONYMS: Readonly<Partial<Record<TopicConfigName, readonly TopicSynonym[]>>> = {
  'segment.bytes': [{ name: 'log.segment.bytes' }],
  'segment.ms': [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', toMs: HOUR }],
  'segment.jitter.ms': [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', toMs: HOUR }],
  'segment.index.bytes': [{ name: 'log.index.size.max.bytes' }],
  'flush.messages': [{ name: 'log.flush.interval.messages' }],
  'flush.ms': [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
  'retention.bytes': [{ name: 'log.retention.bytes' }],
  'retention.ms': [
    { name: 'log.retention.ms' },
    { name: 'log.retention.minutes', toMs: MINUTE },
    { name: 'log.retention.hours', toMs: HOUR },
  ],
  'max.message.bytes': [{ name: 'message.max.bytes' }],
  'index.interval.bytes': [{ name: 'log.index.interval.bytes' }],
  'delete.retention.ms': [{ name: 'log.cleaner.delete.retention.ms' }],
  'min.compaction.lag.ms': [{ name: 'log.cleaner.min.compaction.lag.ms' }],
  'max.compaction.lag.ms': [{ name: 'log.cleaner.max.compaction.lag.ms' }],
  'file.delete.delay.ms': [{ name: 'log.segment.delete.delay.ms' }],
  'min.cleanable.dirty.ratio': [{ name: 'log.cleaner.min.cleanable.ratio' }],
  'cleanup.policy': [{ name: 'log.cleanup.policy' }],
  'unclean.leader.election.enable': [{ name: 'unclean.leader.election.enable' }],
  'min.insync.replicas': [{ name: 'min.insync.replicas' }],
  'compression.type': [{ name: 'compression.type' }],
  'compression.gzip.level': [{ name: 'compression.gzip.level' }],
  'compression.lz4.level': [{ name: 'compression.lz4.level' }],
  'compression.zstd.level': [{ name: 'compression.zstd.level' }],
  preallocate: [{ name: 'log.preallocate' }],
  'message.timestamp.type': [{ name: 'log.message.timestamp.type' }],
  'message.timestamp.before.max.ms': [{ name: 'log.message.timestamp.before.max.ms' }],
  'message.timestamp.after.max.ms': [{ name: 'log.message.timestamp.after.max.ms' }],
  'local.retention.ms': [{ name: 'log.local.retention.ms' }],
  'local.retention.bytes': [{ name: 'log.local.retention.bytes' }],
};

/**
 * The broker names DescribeConfigs lists as synonyms of a broker config (DynamicBrokerConfig.brokerConfigSynonyms):
 * the ms/minutes/hours families are one group, log.flush.interval.ms falls back to the scheduler interval.
 */
export function brokerConfigSynonyms(name: string): string[] {
  switch (name) {
    case 'log.roll.ms':
    case 'log.roll.hours':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms':
    case 'log.roll.jitter.hours':
      return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms':
      return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    case 'log.retention.ms':
    case 'log.retention.minutes':
    case 'log.retention.hours':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    default:
      return [name];
  }
}
