// The main thread's way to the transaction coordinators (on the shards owning __transaction_state partitions):
//   - which partition owns a transactional id: partitionFor(id, the topic's partition count), creating the topic on
//     first use: transaction.state.log.num.partitions (50), cleanup.policy=compact, segment.bytes =
//     transaction.state.log.segment.bytes, replication factor 1 (transaction.state.log.replication.factor is
//     clamped: one node);
//   - forTransaction(): a TXN ring message (the request encoded with the generated codec) to the owning shard; an
//     InitProducerId carries one fresh producer id from ProducerIdManager (see shard/txn-coordinators.ts);
//   - the marker relay: a coordinator's shard posts the markers of a transaction (TxnMarkersMessage); each partition
//     gets a writeTxnMarker CONTROL on its own shard (retried every MARKER_RETRY_MS until durable; a partition that
//     no longer exists counts as written; so does one the log refuses for good — INVALID_PRODUCER_EPOCH or
//     TRANSACTION_COORDINATOR_FENCED: a newer marker already ended the transaction there), then the coordinator's
//     shard gets txnMarkersWritten.
// Owner: main thread.
import type { BrokerConfig } from '@sluice/config';
import { partitionFor } from '@sluice/coordinator';
import { txnErrorResponse } from '@sluice/coordinator/transactions/index.ts';
import { decodeResponse, encodeRequest } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { RequestContext } from '../handlers/handler.ts';
import { InternalTopic } from '../metadata/internal-topic.ts';
import type { PartitionMetadata, TopicMetadata } from '../metadata/metadata-snapshot.ts';
import type { TopicManager } from '../metadata/topic-manager.ts';
import type { ProducerIdManager } from '../producer-ids.ts';
import type { ShardPool } from '../shard/shard-pool.ts';
import type { TxnMarkersMessage } from '../shard/shard-protocol.ts';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const INIT_PRODUCER_ID = 22;
// 200 ms between attempts at a marker the log refused (a full disk...): markers must eventually land.
const MARKER_RETRY_MS = 200;
const INVALID_PRODUCER_EPOCH = 47;
const TRANSACTION_COORDINATOR_FENCED = 52;

/** The coordinator's settings from the broker's transaction.* configs (Kafka's names). */
export function txnCoordinatorConfig(config: BrokerConfig): Record<string, number> {
  return {
    transactionMaxTimeoutMs: config.get('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: config.get('transactional.id.expiration.ms'),
    abortTimedOutTransactionsIntervalMs: config.get('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredTransactionalIdsIntervalMs: config.get('transaction.remove.expired.transaction.cleanup.interval.ms'),
    offsetsTopicNumPartitions: config.get('offsets.topic.num.partitions'),
  };
}

export interface TxnRouterOptions {
  topics: TopicManager;
  shards: ShardPool;
  producerIds: ProducerIdManager;
  config: () => BrokerConfig;
  log: (message: string) => void;
}

export class TxnRouter {
  private readonly o: TxnRouterOptions;
  private readonly txnState: InternalTopic;
  private stopped = false;

  constructor(o: TxnRouterOptions) {
    this.o = o;
    this.txnState = new InternalTopic(TRANSACTION_STATE_TOPIC, {
      ...o,
      spec: (config) => ({
        partitions: config.get('transaction.state.log.num.partitions'),
        configs: {
          'cleanup.policy': 'compact',
          'compression.type': 'producer',
          'segment.bytes': String(config.get('transaction.state.log.segment.bytes')),
        },
        replicationFactorKey: 'transaction.state.log.replication.factor',
      }),
    });
    o.shards.shards.forEach((shard, i) => {
      shard.onTxnMarkers = (m) => void this.relay(i, m);
    });
  }

  /** Broker stop: markers not yet written are written again by the coordinator when it loads next time. */
  stop(): void {
    this.stopped = true;
  }

  /** The __transaction_state topic, if it exists. */
  txnTopic(): TopicMetadata | undefined {
    return this.txnState.get();
  }

  /** Creates __transaction_state unless it exists; null when it could not be created. */
  ensureTxnTopic(): Promise<TopicMetadata | null> {
    return this.txnState.ensure();
  }

  partitionOf(topic: TopicMetadata, transactionalId: string): PartitionMetadata {
    return topic.partitions[partitionFor(transactionalId, topic.partitions.length)];
  }

  /** Sends `body` to the coordinator of `transactionalId`; COORDINATOR_NOT_AVAILABLE without the topic. */
  async forTransaction(ctx: RequestContext, transactionalId: string, body: unknown): Promise<unknown> {
    const topic = await this.ensureTxnTopic();
    if (topic === null) {
      return txnErrorResponse(ctx.apiKey, ctx.apiVersion, body, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return this.toPartition(ctx, this.partitionOf(topic, transactionalId), body);
  }

  /** Sends `body` to the coordinator of one __transaction_state partition. */
  async toPartition(ctx: RequestContext, p: PartitionMetadata, body: unknown): Promise<unknown> {
    let granted = -1;
    if (ctx.apiKey === INIT_PRODUCER_ID) {
      try {
        granted = this.o.producerIds.generateProducerId();
      } catch (err) {
        this.o.log(`InitProducerId: cannot persist a producer id block: ${(err as Error).message}`);
        return txnErrorResponse(ctx.apiKey, ctx.apiVersion, body, ErrorCode.UNKNOWN_SERVER_ERROR);
      }
    }
    const frame = encodeRequest(ctx.apiKey, ctx.apiVersion, 0, ctx.clientId, body);
    const host = ctx.clientHost === undefined || ctx.clientHost === '' ? '' : `/${ctx.clientHost}`;
    const answer = await this.o.shards.shards[p.shard].txn(p.partitionHandle, granted, host, frame);
    const notCoordinator = () => txnErrorResponse(ctx.apiKey, ctx.apiVersion, body, ErrorCode.NOT_COORDINATOR);
    if (answer.length < 4) return notCoordinator();
    const decoded = decodeResponse(ctx.apiKey, ctx.apiVersion, answer.subarray(4));
    if (!decoded.ok) return notCoordinator();
    return decoded.value.body;
  }

  private async relay(coordinatorShard: number, m: TxnMarkersMessage): Promise<void> {
    const { coordinatorHandle, transactionalId, marker, partitions } = m.txnMarkers;
    const writes: Promise<void>[] = [];
    for (const t of partitions) for (const p of t.partitions) writes.push(this.writeMarker(t.topic, p, marker));
    await Promise.all(writes);
    if (this.stopped) return;
    await this.o.shards.shards[coordinatorShard].control({
      op: 'txnMarkersWritten',
      partitionHandle: coordinatorHandle,
      marker: { ...marker, transactionalId },
    });
  }

  private async writeMarker(topic: string, partition: number, marker: TxnMarkersMessage['txnMarkers']['marker']) {
    for (;;) {
      if (this.stopped) return;
      const p = this.o.topics.current.topics.get(topic)?.partitions[partition];
      if (p === undefined) return; // deleted: counts as written
      const r = await this.o.shards.shards[p.shard].control<{ errorCode: number }>({
        op: 'writeTxnMarker',
        partitionHandle: p.partitionHandle,
        marker,
      });
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return;
      if (r.errorCode === INVALID_PRODUCER_EPOCH || r.errorCode === TRANSACTION_COORDINATOR_FENCED) {
        this.o.log(`transaction ${JSON.stringify(marker)}: marker on ${topic}-${partition} refused (${r.errorCode})`);
        return;
      }
      this.o.log(`transaction ${JSON.stringify(marker)}: marker on ${topic}-${partition} failed (${r.errorCode})`);
      await new Promise((resolve) => setTimeout(resolve, MARKER_RETRY_MS));
    }
  }
}
