// From a topic's effective Kafka configs (packages/config LogConfig, Kafka names) to the storage settings a shard
// opens its partition logs with (packages/storage LogConfig, camelCase). flush.ms and flush.messages keep storage's
// defaults (1000 ms, unbounded) unless the topic or broker sets them: Kafka's Long.MAX defaults assume replication,
// and here the highWatermark is the durable end of the log, so unflushed acks=0 data must become visible.
import { type BrokerConfig, resolveTopicConfig, type TopicOverrides } from '@sluice/config';
import type { ShardLogConfig } from '../shard/shard-protocol.ts';

export function shardLogConfig(broker: BrokerConfig, overrides: TopicOverrides): ShardLogConfig {
  const c = resolveTopicConfig(broker, overrides) as unknown as Record<string, number | string>;
  const out: ShardLogConfig = {
    segmentBytes: c['segment.bytes'] as number,
    segmentMs: c['segment.ms'] as number,
    segmentIndexBytes: c['segment.index.bytes'] as number,
    indexIntervalBytes: c['index.interval.bytes'] as number,
    retentionMs: c['retention.ms'] as number,
    retentionBytes: c['retention.bytes'] as number,
    maxMessageBytes: c['max.message.bytes'] as number,
    messageTimestampType: c['message.timestamp.type'] as string,
    messageTimestampBeforeMaxMs: Math.min(c['message.timestamp.before.max.ms'] as number, Number.MAX_SAFE_INTEGER),
    messageTimestampAfterMaxMs: Math.min(c['message.timestamp.after.max.ms'] as number, Number.MAX_SAFE_INTEGER),
    fileDeleteDelayMs: c['file.delete.delay.ms'] as number,
    cleanupPolicy: ([] as string[]).concat(c['cleanup.policy'] as string | string[]).join(','),
    deleteRetentionMs: Math.min(c['delete.retention.ms'] as number, Number.MAX_SAFE_INTEGER),
    minCleanableDirtyRatio: c['min.cleanable.dirty.ratio'] as number,
    minCompactionLagMs: Math.min(c['min.compaction.lag.ms'] as number, Number.MAX_SAFE_INTEGER),
    maxCompactionLagMs: Math.min(c['max.compaction.lag.ms'] as number, Number.MAX_SAFE_INTEGER),
  };
  const explicit = (topicName: string, brokerName: string) =>
    overrides[topicName] !== undefined || broker.staticConfigs.has(brokerName);
  if (explicit('flush.ms', 'log.flush.interval.ms')) {
    out.flushMs = Math.min(c['flush.ms'] as number, Number.MAX_SAFE_INTEGER);
  }
  if (explicit('flush.messages', 'log.flush.interval.messages')) {
    out.flushMessages = Math.min(c['flush.messages'] as number, Number.MAX_SAFE_INTEGER);
  }
  return out;
}
