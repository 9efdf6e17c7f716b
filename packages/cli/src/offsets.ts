// Partition offsets through ListOffsets (key 2): timestamp -2 -> logStartOffset, -1 -> logEndOffset (the high
// watermark for a read_uncommitted client), t >= 0 -> the first offset whose timestamp is >= t (logEndOffset when
// none is). Returned as Map<partition, offset>.
import type { Admin } from '@platformatic/kafka';
import { CliError, ExitCode } from './errors.ts';

export const EARLIEST = -2n;
export const LATEST = -1n;

export async function partitionCount(client: Pick<Admin, 'metadata'>, topic: string): Promise<number> {
  const md = await client.metadata({ topics: [topic] });
  const t = md.topics.get(topic);
  if (!t) throw new CliError(`topic ${topic} does not exist`, ExitCode.NOT_FOUND, 'UNKNOWN_TOPIC_OR_PARTITION');
  return t.partitionsCount;
}

export async function listOffsets(
  admin: Admin,
  topic: string,
  partitions: number[],
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const out = new Map<number, bigint>();
  if (partitions.length === 0) return out;
  const listed = await admin.listOffsets({
    topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
  });
  for (const t of listed) for (const p of t.partitions) out.set(p.partitionIndex, p.offset);
  return out;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
