// What a handler may use: one object built by the broker at start and passed to every handler. To add a
// capability (a group coordinator, an ACL authorizer), add a field here and build it in broker.ts; handlers never
// reach into the broker otherwise.
// Owner: main thread.
import type { BrokerConfig, Listener } from '@sluice/config';
import type { FetchPurgatory } from './fetch/fetch-purgatory.ts';
import type { SegmentReader } from './fetch/segment-reader.ts';
import type { GroupRouter } from './groups/group-router.ts';
import type { MetadataSnapshot } from './metadata/metadata-snapshot.ts';
import type { PartitionStates } from './metadata/partition-states.ts';
import type { TopicManager } from './metadata/topic-manager.ts';
import type { BrokerMetrics } from './metrics/broker-metrics.ts';
import type { ProducerIdManager } from './producer-ids.ts';
import type { ShardPool } from './shard/shard-pool.ts';
import type { TxnRouter } from './transactions/txn-router.ts';

export interface BrokerServices {
  /** The broker's configuration; replaced whole by dynamic config changes. */
  config(): BrokerConfig;
  /** The current metadata snapshot (topics, partitions, cluster id). */
  metadata(): MetadataSnapshot;
  topics: TopicManager;
  shards: ShardPool;
  partitionStates: PartitionStates;
  fetchPurgatory: FetchPurgatory;
  segmentReader: SegmentReader;
  /** The way to the group coordinators (on the shards owning __consumer_offsets partitions). */
  groups: GroupRouter;
  /** The way to the transaction coordinators (on the shards owning __transaction_state partitions). */
  transactions: TxnRouter;
  /** Listeners as clients should reach them (Metadata brokers list), with the ports actually bound. */
  advertisedListeners(): readonly Listener[];
  dataDir: string;
  /** Producer ids for InitProducerId, unique across restarts (producer-ids.ts). */
  producerIds: ProducerIdManager;
  /**
   * Writes the data directory's log-start-offset checkpoint (Kafka's format) from the offsets the shards last
   * published, with `changed` (partition handle -> new logStartOffset) applied on top. DeleteRecords calls it with
   * the shard's answer before replying, so an advanced logStartOffset survives a crash. Synchronous (rare).
   */
  saveLogStartOffsets(changed?: ReadonlyMap<number, number>): void;
  /**
   * Replaces the broker's configuration by one with new dynamic layers (AlterConfigs on a BROKER resource):
   * persisted in the data directory first, then published, then every partition log gets its new settings.
   */
  alterBrokerConfig(next: BrokerConfig): Promise<void>;
  log(message: string): void;
  /** Counters and gauges served on sluice.metrics.listener (metrics/broker-metrics.ts). */
  metrics: BrokerMetrics;
}
