// The broker's metrics, in Prometheus text through prom-client, with Kafka's meanings. Counters move on the hot
// path (a Map lookup and an add, no allocation once a label set exists); everything that needs the shards is
// gathered once per scrape (refresh(): one CONTROL round-trip per shard, bounded by REFRESH_TIMEOUT_MS).
//
// Prometheus name (labels)                          Kafka JMX name it mirrors
// sluice_broker_topic_bytes_in_total (topic)        kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=*
// sluice_broker_topic_bytes_out_total (topic)       kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=*
// sluice_broker_topic_messages_in_total (topic)     kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*
//                                                   (recordsCount of the batch headers; records are not decoded)
// sluice_request_total (request)                    kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*
// sluice_request_duration_seconds (request)         kafka.network:type=RequestMetrics,name=TotalTimeMs,request=*
//                                                   (frame decoded -> response encoded; the socket write is not in it)
// sluice_purgatory_size (delayed_operation)         kafka.server:type=DelayedOperationPurgatory,name=PurgatorySize,
//                                                   delayedOperation=Fetch|Produce (Produce: partition appends
//                                                   waiting for their fdatasync, acks=1/all)
// sluice_log_flush_duration_seconds (shard)         kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs (one
//                                                   group-commit turn: all the shard's fdatasyncs of that turn)
// sluice_log_flush_fdatasyncs_total (shard)         (none: fdatasync calls inside those flushes)
// sluice_partition_count                            kafka.server:type=ReplicaManager,name=PartitionCount
// sluice_log_size_bytes (topic, partition)          kafka.log:type=Log,name=Size,topic=*,partition=*
// sluice_log_end_offset (topic, partition)          kafka.log:type=Log,name=LogEndOffset,topic=*,partition=*
// sluice_under_replicated_partitions                kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions
// sluice_offline_partitions_count                   kafka.controller:type=KafkaController,name=OfflinePartitionsCount
// sluice_active_connections                         kafka.server:type=socket-server-metrics,name=connection-count
// sluice_consumer_group_lag (group, topic, partition)  none in Kafka (kafka-exporter's kafka_consumergroup_lag):
//                                                   highWatermark - committed offset, as kafka-consumer-groups.sh
//                                                   computes LAG (its LOG-END-OFFSET column is the highWatermark)
// sluice_consumer_group_committed_offset (group, topic, partition)  the committed offset itself
// sluice_metrics_shard_timeouts_total               (none: scrapes that answered without a shard's stats)
// Owner: main thread.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetadataSnapshot } from '../metadata/metadata-snapshot.ts';
import type { PartitionStates } from '../metadata/partition-states.ts';
import type { ShardPool } from '../shard/shard-pool.ts';
import { FLUSH_BUCKETS_SECONDS, type FlushTimingsSnapshot } from './flush-timings.ts';

// A scrape waits at most 2 s for the shards (Prometheus' default scrape timeout is 10 s); a shard busy longer
// than that is left out of this scrape and counted in sluice_metrics_shard_timeouts_total.
const REFRESH_TIMEOUT_MS = 2_000;
// 20,000 committed offsets per shard per scrape: ~2 MB of JSON at most; a broker with more loses lag series.
const MAX_COMMITTED_PER_SHARD = 20_000;
// Request latency buckets, seconds: 0.1 ms (ApiVersions) to 30 s (a long-poll Fetch or a JoinGroup rebalance).
const REQUEST_BUCKETS_SECONDS = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const BATCH_LENGTH_OFFSET = 8;
const RECORDS_COUNT_OFFSET = 57;
const BATCH_HEADER_BYTES = 61;

export interface BrokerMetricsOptions {
  metadata: () => MetadataSnapshot;
  partitionStates: PartitionStates;
  shards: ShardPool;
  activeConnections: () => number;
  fetchPurgatorySize: () => number;
}

interface ShardStats {
  errorCode: number;
  flush?: FlushTimingsSnapshot;
  committed?: Array<{ groupId: string; topic: string; partition: number; committedOffset: number }>;
}

/** Records in a buffer of magic-2 record batches, from each batch header's recordsCount. */
export function recordsCountOf(records: Uint8Array): number {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let n = 0;
  let pos = 0;
  while (records.length - pos >= BATCH_HEADER_BYTES) {
    n += Math.max(0, v.getInt32(pos + RECORDS_COUNT_OFFSET));
    const size = 12 + v.getInt32(pos + BATCH_LENGTH_OFFSET);
    if (size <= 12) break;
    pos += size;
  }
  return n;
}

export class BrokerMetrics {
  readonly registry = new Registry();
  private readonly o: BrokerMetricsOptions;
  private readonly bytesIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly messagesIn: Counter<'topic'>;
  private readonly requests: Counter<'request'>;
  private readonly requestSeconds: Histogram<'request'>;
  private readonly purgatory: Gauge<'delayed_operation'>;
  private readonly partitionCount: Gauge;
  private readonly logSize: Gauge<'topic' | 'partition'>;
  private readonly logEndOffset: Gauge<'topic' | 'partition'>;
  private readonly lag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly committedOffset: Gauge<'group' | 'topic' | 'partition'>;
  private readonly shardTimeouts: Counter;
  private readonly flushes = new Map<number, FlushTimingsSnapshot>();
  private producePending = 0;
  private refreshing: Promise<void> | null = null;
  /** Partition handle -> topic name, rebuilt when the metadata snapshot is replaced. */
  private topicByHandle = new Map<number, string>();
  private topicsOf: MetadataSnapshot | null = null;

  constructor(o: BrokerMetricsOptions) {
    this.o = o;
    const registers = [this.registry];
    this.bytesIn = new Counter({
      name: 'sluice_broker_topic_bytes_in_total',
      help: 'Record batch bytes appended by producers, per topic (Kafka BytesInPerSec).',
      labelNames: ['topic'],
      registers,
    });
    this.bytesOut = new Counter({
      name: 'sluice_broker_topic_bytes_out_total',
      help: 'Record bytes sent to consumers in Fetch responses, per topic (Kafka BytesOutPerSec).',
      labelNames: ['topic'],
      registers,
    });
    this.messagesIn = new Counter({
      name: 'sluice_broker_topic_messages_in_total',
      help: 'Records appended by producers, per topic (Kafka MessagesInPerSec).',
      labelNames: ['topic'],
      registers,
    });
    this.requests = new Counter({
      name: 'sluice_request_total',
      help: 'Requests answered, per API (Kafka RequestMetrics RequestsPerSec).',
      labelNames: ['request'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'sluice_request_duration_seconds',
      help: 'Time from a request frame decoded to its response encoded, per API (Kafka RequestMetrics TotalTimeMs).',
      labelNames: ['request'],
      buckets: REQUEST_BUCKETS_SECONDS,
      registers,
    });
    this.purgatory = new Gauge({
      name: 'sluice_purgatory_size',
      help: 'Fetches parked for a long poll; partition appends waiting for fdatasync (Kafka PurgatorySize).',
      labelNames: ['delayed_operation'],
      registers,
      collect: () => {
        this.purgatory.set({ delayed_operation: 'Fetch' }, this.o.fetchPurgatorySize());
        this.purgatory.set({ delayed_operation: 'Produce' }, this.producePending);
      },
    });
    this.partitionCount = new Gauge({
      name: 'sluice_partition_count',
      help: 'Partitions this broker leads, internal topics included (Kafka ReplicaManager PartitionCount).',
      registers,
      collect: () => {
        let n = 0;
        for (const t of this.o.metadata().topics.values()) n += t.partitions.length;
        this.partitionCount.set(n);
      },
    });
    new Gauge({
      name: 'sluice_under_replicated_partitions',
      help: 'Partitions with fewer in-sync replicas than replicas: always 0 on one node.',
      registers,
    }).set(0);
    new Gauge({
      name: 'sluice_offline_partitions_count',
      help: 'Partitions without a leader: always 0 on one node while it runs.',
      registers,
    }).set(0);
    const connections: Gauge = new Gauge({
      name: 'sluice_active_connections',
      help: 'Open client connections on every listener (Kafka socket-server-metrics connection-count).',
      registers,
      collect: () => {
        connections.set(this.o.activeConnections());
      },
    });
    this.logSize = new Gauge({
      name: 'sluice_log_size_bytes',
      help: 'Bytes of all segments of a partition log (Kafka Log Size).',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.logEndOffset = new Gauge({
      name: 'sluice_log_end_offset',
      help: 'The logEndOffset of a partition (Kafka Log LogEndOffset).',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.lag = new Gauge({
      name: 'sluice_consumer_group_lag',
      help: 'highWatermark minus the committed offset, per group and partition (kafka-consumer-groups.sh LAG).',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    this.committedOffset = new Gauge({
      name: 'sluice_consumer_group_committed_offset',
      help: 'The offset a group committed for a partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    this.shardTimeouts = new Counter({
      name: 'sluice_metrics_shard_timeouts_total',
      help: 'Scrapes answered without the stats of a shard that did not reply within 2 s.',
      registers,
    });
    this.registry.registerMetric(this.flushHistogram() as never);
    const fdatasyncs: Counter<'shard'> = new Counter({
      name: 'sluice_log_flush_fdatasyncs_total',
      help: 'fdatasync calls made by the group-commit flushes of a shard.',
      labelNames: ['shard'],
      registers,
      collect: () => {
        fdatasyncs.reset();
        for (const [shard, f] of this.flushes) fdatasyncs.inc({ shard: String(shard) }, f.fdatasyncs);
      },
    });
  }

  /** Produce: one partition's batches dispatched to its shard; counted once the append succeeds. */
  onAppend(topic: string, records: Uint8Array, waitsForFsync: boolean, done: Promise<{ errorCode: number }>): void {
    const bytes = records.length;
    const count = recordsCountOf(records);
    if (waitsForFsync) this.producePending++;
    void done.then((c) => {
      if (waitsForFsync) this.producePending--;
      if (c.errorCode !== 0) return;
      this.bytesIn.inc({ topic }, bytes);
      this.messagesIn.inc({ topic }, count);
    });
  }

  /** Fetch: `bytes` of partition `partitionHandle` put into a response. */
  onFetched(partitionHandle: number, bytes: number): void {
    if (bytes === 0) return;
    const snapshot = this.o.metadata();
    if (snapshot !== this.topicsOf) {
      this.topicsOf = snapshot;
      this.topicByHandle = new Map();
      for (const t of snapshot.topics.values())
        for (const p of t.partitions) this.topicByHandle.set(p.partitionHandle, t.name);
    }
    const topic = this.topicByHandle.get(partitionHandle);
    if (topic !== undefined) this.bytesOut.inc({ topic }, bytes);
  }

  /** A request answered (or failed) after `ms` milliseconds. */
  onRequest(request: string, ms: number): void {
    this.requests.inc({ request });
    this.requestSeconds.observe({ request }, ms / 1000);
  }

  /** The Prometheus text, after gathering the shards' stats (concurrent scrapes share one gathering). */
  async scrape(): Promise<string> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refresh(): Promise<void> {
    const shards = this.o.shards.shards;
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), REFRESH_TIMEOUT_MS);
    });
    const ask = <T>(p: Promise<T>) => Promise.race([p, deadline]);
    const [sizes, stats] = await Promise.all([
      Promise.all(
        shards.map((s) => ask(s.control<{ errorCode: number; sizes?: Record<string, number> }>({ op: 'logDirSizes' }))),
      ),
      Promise.all(
        shards.map((s) => ask(s.control<ShardStats>({ op: 'stats', maxCommitted: MAX_COMMITTED_PER_SHARD }))),
      ),
    ]);
    clearTimeout(timer);
    const snapshot = this.o.metadata();
    const byHandle = new Map<number, { topic: string; partition: number }>();
    const byName = new Map<string, number>();
    for (const t of snapshot.topics.values()) {
      for (const p of t.partitions) {
        byHandle.set(p.partitionHandle, { topic: t.name, partition: p.partition });
        byName.set(`${t.name}\u0000${p.partition}`, p.partitionHandle);
      }
    }
    // Gauges are rebuilt whole: partitions and groups that went away disappear from the next scrape.
    this.logSize.reset();
    this.logEndOffset.reset();
    for (const [handle, where] of byHandle) {
      const offsets = this.o.partitionStates.get(handle);
      if (offsets !== undefined) {
        this.logEndOffset.set({ topic: where.topic, partition: String(where.partition) }, offsets.logEndOffset);
      }
    }
    for (const reply of sizes) {
      if (reply === timedOut) continue;
      for (const [handle, size] of Object.entries(reply.sizes ?? {})) {
        const where = byHandle.get(Number(handle));
        if (where !== undefined) this.logSize.set({ topic: where.topic, partition: String(where.partition) }, size);
      }
    }
    this.lag.reset();
    this.committedOffset.reset();
    for (let i = 0; i < stats.length; i++) {
      const reply = stats[i];
      if (reply === timedOut || reply.errorCode !== 0) {
        this.shardTimeouts.inc();
        continue;
      }
      if (reply.flush !== undefined) this.flushes.set(i, reply.flush);
      for (const c of reply.committed ?? []) {
        const labels = { group: c.groupId, topic: c.topic, partition: String(c.partition) };
        this.committedOffset.set(labels, c.committedOffset);
        const handle = byName.get(`${c.topic}\u0000${c.partition}`);
        const offsets = handle === undefined ? undefined : this.o.partitionStates.get(handle);
        if (offsets !== undefined) this.lag.set(labels, Math.max(0, offsets.highWatermark - c.committedOffset));
      }
    }
  }

  /**
   * The shards' flush histograms as one Prometheus histogram labelled by shard: prom-client's Histogram only
   * observes single values, so this metric hands the registry the bucket counts the shards sent.
   */
  private flushHistogram() {
    const name = 'sluice_log_flush_duration_seconds';
    const help = 'Group-commit flush time per shard: every fdatasync of one loop turn (Kafka LogFlushRateAndTimeMs).';
    return {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      reset: () => {},
      get: async () => {
        const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
        for (const [shard, f] of [...this.flushes].sort((a, b) => a[0] - b[0])) {
          let cumulative = 0;
          for (let b = 0; b < FLUSH_BUCKETS_SECONDS.length; b++) {
            cumulative += f.counts[b];
            values.push({
              metricName: `${name}_bucket`,
              labels: { shard, le: FLUSH_BUCKETS_SECONDS[b] },
              value: cumulative,
            });
          }
          values.push({ metricName: `${name}_bucket`, labels: { shard, le: '+Inf' }, value: f.count });
          values.push({ metricName: `${name}_sum`, labels: { shard }, value: f.sumSeconds });
          values.push({ metricName: `${name}_count`, labels: { shard }, value: f.count });
        }
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
    };
  }
}
