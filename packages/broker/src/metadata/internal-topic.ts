// An internal topic (__consumer_offsets, __transaction_state) created on first use. Concurrent callers share one
// creation; the replication factor its `*.replication.factor` key asks for is clamped to 1, because one node cannot
// meet more, with a single warning. A topic another request created meanwhile (TOPIC_ALREADY_EXISTS) is fine.
// Owner: main thread.
import type { BrokerConfig } from '@sluice/config';
import { ErrorCode } from '../error-codes.ts';
import type { TopicMetadata } from './metadata-snapshot.ts';
import type { TopicManager } from './topic-manager.ts';

export interface InternalTopicSpec {
  partitions: number;
  configs: Record<string, string>;
  /** The broker key naming the replication factor Kafka would use (e.g. offsets.topic.replication.factor). */
  replicationFactorKey: 'offsets.topic.replication.factor' | 'transaction.state.log.replication.factor';
}

export class InternalTopic {
  readonly name: string;
  private readonly topics: TopicManager;
  private readonly config: () => BrokerConfig;
  private readonly spec: (config: BrokerConfig) => InternalTopicSpec;
  private readonly log: (message: string) => void;
  private creating: Promise<TopicMetadata | null> | null = null;
  private warnedReplication = false;

  constructor(
    name: string,
    o: {
      topics: TopicManager;
      config: () => BrokerConfig;
      spec: (config: BrokerConfig) => InternalTopicSpec;
      log: (message: string) => void;
    },
  ) {
    this.name = name;
    this.topics = o.topics;
    this.config = o.config;
    this.spec = o.spec;
    this.log = o.log;
  }

  /** The topic, if it exists. */
  get(): TopicMetadata | undefined {
    return this.topics.current.topics.get(this.name);
  }

  /** Creates the topic unless it exists; null when it could not be created. */
  ensure(): Promise<TopicMetadata | null> {
    const existing = this.get();
    if (existing !== undefined) return Promise.resolve(existing);
    this.creating ??= this.create().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  private async create(): Promise<TopicMetadata | null> {
    const config = this.config();
    const spec = this.spec(config);
    const rf = config.get(spec.replicationFactorKey);
    if (rf !== 1 && !this.warnedReplication) {
      this.warnedReplication = true;
      this.log(`${spec.replicationFactorKey}=${rf} cannot be met by a single node: ${this.name} gets 1`);
    }
    const r = await this.topics.createTopic(this.name, spec.partitions, 1, spec.configs);
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      this.log(`could not create ${this.name}: ${r.errorMessage}`);
    }
    return this.get() ?? null;
  }
}
