// Topic lifecycle on one node: create (validate name, partitions, replication factor, configs; persist; open the
// partition logs on their shards), delete (persist; delete the logs), auto-create from Metadata/Produce, and config
// overrides. Every change builds a new MetadataSnapshot, persists it (metadata-store.ts), and only then publishes
// it, so a topic is never listed before its logs exist (Produce to a listed topic works).
// Changes are serialised through one promise chain: two CreateTopics for the same name cannot both succeed.
// Owner: main thread.
import { type BrokerConfig, validateTopicConfigs } from '@sluice/config';
import { randomUuid } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import { OFFSETS_TOPIC, offsetsTopicSpec } from '../groups/group-router.ts';
import type { ShardPool } from '../shard/shard-pool.ts';
import { shardOf } from '../shard/shard-pool.ts';
import { shardLogConfig } from './log-config-mapping.ts';
import { MetadataSnapshot, type PartitionMetadata, type TopicMetadata } from './metadata-snapshot.ts';
import { type StoredTopic, saveTopics } from './metadata-store.ts';
import type { PartitionStates } from './partition-states.ts';

// 1,000 partitions (~1 MB of JSON) per 'create' CONTROL message to a shard (openLogs).
const OPEN_LOGS_PER_MESSAGE = 1000;

// Kafka's Topic.validate: 1..249 characters of [a-zA-Z0-9._-], not "." or "..".
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_LENGTH = 249;

export function topicNameError(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL_TOPIC.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

export interface CreateTopicResult {
  errorCode: number;
  errorMessage: string | null;
  topic?: TopicMetadata;
}

export interface TopicManagerOptions {
  dataDir: string;
  config: () => BrokerConfig;
  shards: ShardPool;
  states: PartitionStates;
  initial: MetadataSnapshot;
  firstPartitionHandle: number;
}

export class TopicManager {
  private snapshot: MetadataSnapshot;
  private nextHandle: number;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly o: TopicManagerOptions;

  constructor(o: TopicManagerOptions) {
    this.o = o;
    this.snapshot = o.initial;
    this.nextHandle = o.firstPartitionHandle;
  }

  /** The current immutable snapshot. */
  get current(): MetadataSnapshot {
    return this.snapshot;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private persist(next: MetadataSnapshot): void {
    const stored: StoredTopic[] = [...next.topics.values()].map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitions: t.partitions.length,
      configs: { ...t.configs },
    }));
    saveTopics(this.o.dataDir, stored);
  }

  /** Validates a CreateTopics entry without creating anything. numPartitions -1 = num.partitions. */
  validate(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>) {
    const config = this.o.config();
    const nameError = topicNameError(name);
    if (nameError !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameError };
    if (this.snapshot.topics.has(name)) {
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${name}' already exists.` };
    }
    const partitions = numPartitions === -1 ? config.get('num.partitions') : numPartitions;
    if (partitions <= 0) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be larger than 0.' };
    }
    const rf = replicationFactor === -1 ? 1 : replicationFactor;
    if (rf !== 1) {
      return {
        errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
        errorMessage: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
      };
    }
    const configErrors = validateTopicConfigs(configs, config);
    if (configErrors.length > 0) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: configErrors.join('; ') };
    return { errorCode: ErrorCode.NONE, errorMessage: null, partitions };
  }

  /** Creates a topic (or only validates it). */
  createTopic(
    name: string,
    numPartitions: number,
    replicationFactor: number,
    configs: Record<string, string>,
    validateOnly = false,
  ): Promise<CreateTopicResult> {
    return this.serial(async () => {
      const v = this.validate(name, numPartitions, replicationFactor, configs);
      if (v.errorCode !== ErrorCode.NONE || v.partitions === undefined) return v;
      const shardCount = this.o.shards.shards.length;
      const partitions: PartitionMetadata[] = [];
      for (let p = 0; p < v.partitions; p++) {
        partitions.push({ partition: p, partitionHandle: this.nextHandle++, shard: shardOf(name, p, shardCount) });
      }
      const topic: TopicMetadata = {
        name,
        topicId: randomUuid(),
        partitions,
        configs: { ...configs },
        isInternal: name.startsWith('__'),
      };
      if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
      if (!(await this.openLogs(topic, partitions))) {
        await this.deleteLogs(topic);
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `could not create the logs of ${name}` };
      }
      const next = this.snapshot.withTopic(topic);
      this.persist(next);
      this.snapshot = next;
      return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
    });
  }

  private async deleteLogs(topic: TopicMetadata): Promise<void> {
    await Promise.all(
      this.o.shards.shards.map((shard) => {
        const handles = topic.partitions.filter((p) => p.shard === shard.shardId).map((p) => p.partitionHandle);
        return handles.length === 0 ? undefined : shard.control({ op: 'delete', partitionHandles: handles });
      }),
    );
    for (const p of topic.partitions) this.o.states.delete(p.partitionHandle);
  }

  /** Deletes a topic by name: unlisted first (persisted), then its logs are removed. */
  deleteTopic(name: string): Promise<{ errorCode: number; errorMessage: string | null; topicId?: string }> {
    return this.serial(async () => {
      const topic = this.snapshot.topics.get(name);
      if (topic === undefined) {
        return {
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: 'This server does not host this topic-partition.',
        };
      }
      const next = this.snapshot.withoutTopic(name);
      this.persist(next);
      this.snapshot = next;
      await this.deleteLogs(topic);
      return { errorCode: ErrorCode.NONE, errorMessage: null, topicId: topic.topicId };
    });
  }

  /** Topic auto-creation (Metadata, Produce) when auto.create.topics.enable; null when not allowed or invalid. */
  autoCreate(name: string): Promise<CreateTopicResult> | null {
    if (!this.o.config().get('auto.create.topics.enable')) return null;
    if (topicNameError(name) !== null) return null;
    if (name === OFFSETS_TOPIC) {
      const spec = offsetsTopicSpec(this.o.config());
      return this.createTopic(name, spec.partitions, -1, spec.configs);
    }
    return this.createTopic(name, -1, -1, {});
  }

  /**
   * CreatePartitions: grows a topic to `totalCount` partitions (the new ones start empty). INVALID_PARTITIONS when
   * totalCount is not larger than the current count; UNKNOWN_TOPIC_OR_PARTITION for an unknown topic.
   */
  createPartitions(name: string, totalCount: number, validateOnly = false): Promise<CreateTopicResult> {
    return this.serial(async () => {
      const topic = this.snapshot.topics.get(name);
      if (topic === undefined) {
        return {
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: `This server does not host this topic-partition.`,
        };
      }
      const current = topic.partitions.length;
      if (totalCount <= current) {
        return {
          errorCode: ErrorCode.INVALID_PARTITIONS,
          errorMessage:
            totalCount === current
              ? `Topic already has ${current} partitions.`
              : `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`,
        };
      }
      if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
      const shardCount = this.o.shards.shards.length;
      const added: PartitionMetadata[] = [];
      for (let p = current; p < totalCount; p++) {
        added.push({ partition: p, partitionHandle: this.nextHandle++, shard: shardOf(name, p, shardCount) });
      }
      const grown: TopicMetadata = { ...topic, partitions: [...topic.partitions, ...added] };
      if (!(await this.openLogs(grown, added))) {
        await this.deleteLogs({ ...topic, partitions: added });
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `could not create the logs of ${name}` };
      }
      const next = this.snapshot.withTopic(grown);
      this.persist(next);
      this.snapshot = next;
      return { errorCode: ErrorCode.NONE, errorMessage: null, topic: grown };
    });
  }

  /** Opens (creates) the logs of `partitions` of `topic` on their shards; false when any failed. */
  private async openLogs(topic: TopicMetadata, partitions: readonly PartitionMetadata[]): Promise<boolean> {
    const logConfig = shardLogConfig(this.o.config(), topic.configs);
    // At most OPEN_LOGS_PER_MESSAGE partitions per CONTROL message: each carries the topic's log config as JSON, and
    // a topic of a hundred thousand partitions in one message would not fit the shard's request ring.
    const messages: Array<Promise<{ errorCode: number; errors: Record<number, number> }>> = [];
    for (const shard of this.o.shards.shards) {
      const mine = partitions.filter((p) => p.shard === shard.shardId);
      for (let i = 0; i < mine.length; i += OPEN_LOGS_PER_MESSAGE) {
        messages.push(
          shard.control<{ errorCode: number; errors: Record<number, number> }>({
            op: 'create',
            partitions: mine.slice(i, i + OPEN_LOGS_PER_MESSAGE).map((p) => ({
              partitionHandle: p.partitionHandle,
              topic: topic.name,
              partition: p.partition,
              config: logConfig,
              logStartOffset: 0,
            })),
          }),
        );
      }
    }
    const results = await Promise.all(messages);
    return results.every((r) => r.errorCode === 0 && Object.keys(r.errors).length === 0);
  }

  /** Replaces a topic's config overrides (for AlterConfigs / IncrementalAlterConfigs); the logs follow. */
  alterTopicConfigs(name: string, configs: Record<string, string>): Promise<{ errorCode: number }> {
    return this.serial(async () => {
      const topic = this.snapshot.topics.get(name);
      if (topic === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      const next = this.snapshot.withTopic({ ...topic, configs: { ...configs } });
      this.persist(next);
      this.snapshot = next;
      const logConfig = shardLogConfig(this.o.config(), configs);
      await Promise.all(
        topic.partitions.map((p) =>
          this.o.shards.shards[p.shard].control({
            op: 'alterConfig',
            partitionHandle: p.partitionHandle,
            config: logConfig,
          }),
        ),
      );
      return { errorCode: ErrorCode.NONE };
    });
  }

  /** Pushes every topic's effective log settings to its partitions (after a dynamic broker config change). */
  refreshLogConfigs(): Promise<void> {
    return this.serial(async () => {
      const pushes: Array<Promise<unknown>> = [];
      for (const topic of this.snapshot.topics.values()) {
        const config = shardLogConfig(this.o.config(), topic.configs);
        for (const p of topic.partitions) {
          pushes.push(
            this.o.shards.shards[p.shard].control({ op: 'alterConfig', partitionHandle: p.partitionHandle, config }),
          );
        }
      }
      await Promise.all(pushes);
    });
  }
}

/** Builds the start-up snapshot from persisted topics, handing out partition handles from 1. */
export function snapshotFromStored(
  clusterId: string,
  nodeId: number,
  stored: readonly StoredTopic[],
  shardCount: number,
): { snapshot: MetadataSnapshot; nextHandle: number } {
  let handle = 1;
  const topics: TopicMetadata[] = stored.map((t) => ({
    name: t.name,
    topicId: t.topicId,
    configs: t.configs,
    isInternal: t.name.startsWith('__'),
    partitions: Array.from({ length: t.partitions }, (_, p) => ({
      partition: p,
      partitionHandle: handle++,
      shard: shardOf(t.name, p, shardCount),
    })),
  }));
  return { snapshot: new MetadataSnapshot(clusterId, nodeId, topics), nextHandle: handle };
}
