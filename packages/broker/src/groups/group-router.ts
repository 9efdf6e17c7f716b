// The main thread's way to the group coordinators: which __consumer_offsets partition owns a group (Kafka's
// partitionFor over the topic's partition count), creating the topic on first use, and sending a group API request
// to the shard that owns that partition (a GROUP ring message carrying the request encoded with the generated codec;
// the answer comes back as an encoded response frame, maybe much later — JoinGroup waits for the rebalance).
// __consumer_offsets: offsets.topic.num.partitions partitions (50), cleanup.policy=compact, segment.bytes =
// offsets.topic.segment.bytes, replication factor 1 (offsets.topic.replication.factor is clamped: one node).
// Owner: main thread.
import type { BrokerConfig } from '@sluice/config';
import { type CoordinatorConfig, errorResponse, partitionFor } from '@sluice/coordinator';
import { decodeResponse, encodeRequest } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { RequestContext } from '../handlers/handler.ts';
import { InternalTopic } from '../metadata/internal-topic.ts';
import type { PartitionMetadata, TopicMetadata } from '../metadata/metadata-snapshot.ts';
import type { TopicManager } from '../metadata/topic-manager.ts';
import type { ShardPool } from '../shard/shard-pool.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** The topic's partition count and config overrides, from the broker's offsets.topic.* settings. */
export function offsetsTopicSpec(config: BrokerConfig): { partitions: number; configs: Record<string, string> } {
  return {
    partitions: config.get('offsets.topic.num.partitions'),
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': String(config.get('offsets.topic.segment.bytes')),
    },
  };
}

/** The coordinator's settings from the broker's group.* and offsets.* configs (Kafka's names). */
export function groupCoordinatorConfig(config: BrokerConfig): Partial<CoordinatorConfig> & Record<string, number> {
  return {
    groupMinSessionTimeoutMs: config.get('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: config.get('group.max.session.timeout.ms'),
    groupMaxSize: config.get('group.max.size'),
    groupInitialRebalanceDelayMs: config.get('group.initial.rebalance.delay.ms'),
    offsetsRetentionMs: config.get('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: config.get('offsets.retention.check.interval.ms'),
    offsetMetadataMaxBytes: config.get('offset.metadata.max.bytes'),
  };
}

export interface GroupRouterOptions {
  topics: TopicManager;
  shards: ShardPool;
  config: () => BrokerConfig;
  log: (message: string) => void;
}

export class GroupRouter {
  private readonly o: GroupRouterOptions;
  private readonly offsets: InternalTopic;

  constructor(o: GroupRouterOptions) {
    this.o = o;
    this.offsets = new InternalTopic(OFFSETS_TOPIC, {
      ...o,
      spec: (config) => ({ ...offsetsTopicSpec(config), replicationFactorKey: 'offsets.topic.replication.factor' }),
    });
  }

  /** The __consumer_offsets topic, if it exists. */
  offsetsTopic(): TopicMetadata | undefined {
    return this.offsets.get();
  }

  /** Creates __consumer_offsets unless it exists; null when it could not be created. */
  ensureOffsetsTopic(): Promise<TopicMetadata | null> {
    return this.offsets.ensure();
  }

  /** The partition of __consumer_offsets that owns `groupId`. */
  partitionOf(topic: TopicMetadata, groupId: string): PartitionMetadata {
    return topic.partitions[partitionFor(groupId, topic.partitions.length)];
  }

  /** Groups `groupIds` by the __consumer_offsets partition that owns them (first-seen order kept). */
  byPartition(topic: TopicMetadata, groupIds: readonly string[]): Map<PartitionMetadata, string[]> {
    const out = new Map<PartitionMetadata, string[]>();
    for (const id of groupIds) {
      const p = this.partitionOf(topic, id);
      const list = out.get(p);
      if (list === undefined) out.set(p, [id]);
      else list.push(id);
    }
    return out;
  }

  /**
   * Sends `body` (the request of ctx.apiKey/ctx.apiVersion) to the coordinator of `groupId` and resolves its
   * response body. COORDINATOR_NOT_AVAILABLE when __consumer_offsets cannot be created, NOT_COORDINATOR when the
   * owning shard cannot answer (clients then look the coordinator up again).
   */
  async forGroup(ctx: RequestContext, groupId: string, body: unknown): Promise<unknown> {
    const topic = await this.ensureOffsetsTopic();
    if (topic === null) return errorResponse(ctx.apiKey, ctx.apiVersion, body, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return this.toPartition(ctx, this.partitionOf(topic, groupId), body);
  }

  /** Sends `body` to the coordinator of one __consumer_offsets partition. */
  async toPartition(ctx: RequestContext, p: PartitionMetadata, body: unknown): Promise<unknown> {
    const frame = encodeRequest(ctx.apiKey, ctx.apiVersion, 0, ctx.clientId, body);
    const host = ctx.clientHost === undefined || ctx.clientHost === '' ? '' : `/${ctx.clientHost}`;
    const answer = await this.o.shards.shards[p.shard].group(p.partitionHandle, host, frame);
    if (answer.length < 4) return errorResponse(ctx.apiKey, ctx.apiVersion, body, ErrorCode.NOT_COORDINATOR);
    const decoded = decodeResponse(ctx.apiKey, ctx.apiVersion, answer.subarray(4));
    if (!decoded.ok) return errorResponse(ctx.apiKey, ctx.apiVersion, body, ErrorCode.NOT_COORDINATOR);
    return decoded.value.body;
  }
}
