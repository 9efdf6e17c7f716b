// OffsetCommit and OffsetDelete name topic partitions; as Kafka's KafkaApis does before asking the coordinator,
// partitions of unknown topics, or beyond a topic's partition count, are answered UNKNOWN_TOPIC_OR_PARTITION here
// and only the rest goes to the coordinator; the two answers are merged per topic.
// Owner: main thread.
import { ErrorCode } from '../error-codes.ts';
import type { MetadataSnapshot } from '../metadata/metadata-snapshot.ts';

interface TopicPartitions<P extends { partitionIndex: number }> {
  name: string;
  partitions: P[];
}

export interface PartitionErrors {
  name: string;
  partitions: Array<{ partitionIndex: number; errorCode: number }>;
}

/** Splits `topics` into the partitions that exist (same shape) and errors for those that do not. */
export function splitKnownPartitions<P extends { partitionIndex: number }, T extends TopicPartitions<P>>(
  snapshot: MetadataSnapshot,
  topics: readonly T[],
): { known: T[]; unknown: PartitionErrors[] } {
  const known: T[] = [];
  const unknown: PartitionErrors[] = [];
  for (const t of topics) {
    const meta = snapshot.topics.get(t.name);
    const count = meta?.partitions.length ?? 0;
    const ok = t.partitions.filter((p) => p.partitionIndex >= 0 && p.partitionIndex < count);
    const bad = t.partitions.filter((p) => !(p.partitionIndex >= 0 && p.partitionIndex < count));
    if (ok.length > 0) known.push({ ...t, partitions: ok });
    if (bad.length > 0) {
      unknown.push({
        name: t.name,
        partitions: bad.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      });
    }
  }
  return { known, unknown };
}

/** Adds the `unknown` partition errors to a response's topics (same topic name -> same entry). */
export function mergePartitionErrors(topics: PartitionErrors[], unknown: readonly PartitionErrors[]): void {
  for (const u of unknown) {
    const same = topics.find((t) => t.name === u.name);
    if (same === undefined) topics.push({ name: u.name, partitions: [...u.partitions] });
    else same.partitions.push(...u.partitions);
  }
}
