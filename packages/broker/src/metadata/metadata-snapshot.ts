// The broker's metadata as one immutable snapshot: cluster id, node id, topics (name, topic ID, partitions with
// their shard and handle, config overrides). Handlers read `services.metadata.current`; a change builds a new
// snapshot and replaces the old one whole (STYLE.md rule 5), so a request sees one consistent view.
// A partition handle is a broker-wide int32 naming one partition log in the shard protocol; it is never reused
// while the broker runs.
// Owner: main thread.

export interface PartitionMetadata {
  readonly partition: number;
  readonly partitionHandle: number;
  readonly shard: number;
}

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionMetadata[];
  /** Config overrides set on the topic (Kafka names, canonical text). */
  readonly configs: Readonly<Record<string, string>>;
  readonly isInternal: boolean;
}

export class MetadataSnapshot {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly topics: ReadonlyMap<string, TopicMetadata>;
  readonly topicsById: ReadonlyMap<string, TopicMetadata>;

  constructor(clusterId: string, nodeId: number, topics: Iterable<TopicMetadata>) {
    this.clusterId = clusterId;
    this.nodeId = nodeId;
    const byName = new Map<string, TopicMetadata>();
    const byId = new Map<string, TopicMetadata>();
    for (const t of topics) {
      Object.freeze(t.partitions);
      byName.set(t.name, Object.freeze(t));
      byId.set(t.topicId, t);
    }
    this.topics = byName;
    this.topicsById = byId;
    Object.freeze(this);
  }

  withTopic(topic: TopicMetadata): MetadataSnapshot {
    const topics = new Map(this.topics);
    topics.set(topic.name, topic);
    return new MetadataSnapshot(this.clusterId, this.nodeId, topics.values());
  }

  withoutTopic(name: string): MetadataSnapshot {
    const topics = new Map(this.topics);
    topics.delete(name);
    return new MetadataSnapshot(this.clusterId, this.nodeId, topics.values());
  }
}
