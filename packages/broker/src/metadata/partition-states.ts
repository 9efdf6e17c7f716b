// The latest offsets each shard published for its partitions (OFFSETS completions): highWatermark, logEndOffset,
// logStartOffset by partition handle. Read by Metadata/ListOffsets-free paths and by the fetch purgatory, which is
// woken here whenever a partition's highWatermark moves.
// Owner: main thread.
import type { PartitionOffsets } from '../shard/shard-protocol.ts';

export class PartitionStates {
  private readonly states = new Map<number, PartitionOffsets>();
  private readonly listeners: Array<(handle: number) => void> = [];

  update(offsets: PartitionOffsets): void {
    this.states.set(offsets.partitionHandle, offsets);
    for (const l of this.listeners) l(offsets.partitionHandle);
  }

  get(partitionHandle: number): PartitionOffsets | undefined {
    return this.states.get(partitionHandle);
  }

  delete(partitionHandle: number): void {
    this.states.delete(partitionHandle);
  }

  /** Called with a partition handle after every move of its offsets. */
  onUpdate(listener: (handle: number) => void): void {
    this.listeners.push(listener);
  }

  all(): IterableIterator<PartitionOffsets> {
    return this.states.values();
  }
}
