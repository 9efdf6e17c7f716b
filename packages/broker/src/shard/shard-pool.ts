// The shards of a broker: which shard owns a partition (a stable hash of "<topic>-<partition>", so a partition
// keeps its shard across restarts with the same shard count; the data directory layout does not depend on it),
// starting them with their partitions, and stopping them.
// Owner: main thread.

import { ShardClient } from './shard-client.ts';
import type { PartitionOffsets, ShardPartition } from './shard-protocol.ts';

/** FNV-1a 32-bit of the partition's directory name: cheap, stable across versions and platforms. */
export function shardOf(topic: string, partition: number, shardCount: number): number {
  const name = `${topic}-${partition}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shardCount;
}

export interface ShardPoolOptions {
  shardCount: number;
  dataDir: string;
  cleanShutdown: boolean;
  /** Partitions to open at start, each routed to its shard by shardOf. */
  partitions: Array<ShardPartition & { shard: number }>;
  retentionCheckIntervalMs: number;
  ackBeforeFsync: boolean;
  producerIdExpirationMs?: number;
  /** Group coordinator settings for the shards' __consumer_offsets partitions. */
  groupConfig?: Record<string, number>;
  /** Transaction coordinator settings for the shards' __transaction_state partitions. */
  txnConfig?: Record<string, number>;
  /** Request ring bytes per shard; appends larger than this minus 24 bytes are refused. */
  requestRingBytes: number;
  onOffsets: (offsets: PartitionOffsets) => void;
  log: (message: string) => void;
}

export class ShardPool {
  readonly shards: readonly ShardClient[];

  private constructor(shards: ShardClient[]) {
    this.shards = shards;
  }

  static async start(o: ShardPoolOptions): Promise<ShardPool> {
    const shards: ShardClient[] = [];
    for (let i = 0; i < o.shardCount; i++) {
      shards.push(
        new ShardClient({
          shardId: i,
          dataDir: o.dataDir,
          // 64 KiB..: completions are 32-56 bytes each; 4 MiB holds ~75,000 before the JS queue takes over.
          completionRingBytes: 4 * 1024 * 1024,
          requestRingBytes: o.requestRingBytes,
          cleanShutdown: o.cleanShutdown,
          partitions: o.partitions.filter((p) => p.shard === i),
          retentionCheckIntervalMs: o.retentionCheckIntervalMs,
          ackBeforeFsync: o.ackBeforeFsync,
          producerIdExpirationMs: o.producerIdExpirationMs,
          groupConfig: o.groupConfig,
          txnConfig: o.txnConfig,
          onOffsets: o.onOffsets,
          log: o.log,
        }),
      );
    }
    const pool = new ShardPool(shards);
    try {
      await Promise.all(shards.map((s) => s.ready));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Largest append the rings can carry. */
  get maxAppendBytes(): number {
    return this.shards[0].maxAppendBytes;
  }

  /** Bytes of requests queued in JS behind full request rings (all shards). */
  get backlogBytes(): number {
    let n = 0;
    for (const s of this.shards) n += s.backlogBytes;
    return n;
  }

  /** Stops every shard; true when all of them closed their logs cleanly. */
  async close(): Promise<boolean> {
    const clean = await Promise.all(this.shards.map((s) => s.close()));
    return clean.every(Boolean);
  }
}
