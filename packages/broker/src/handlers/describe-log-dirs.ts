// DescribeLogDirs (key 35) v0-4. One log directory (log.dirs holds exactly one): its absolute path, and per
// partition the bytes of its segment files as the owning shard counts them (PartitionLog.size), offsetLag 0 (no
// future replicas), isFutureKey false. topics null = every partition; else only the named partitions that exist
// (Kafka leaves out partitions it does not host). v3+ top-level errorCode; v4+ totalBytes/usableBytes from statfs
// (-1 when statfs fails).
import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponseDescribeLogDirsPartition,
  DescribeLogDirsResponseDescribeLogDirsTopic,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

function diskBytes(dir: string): { totalBytes: bigint; usableBytes: bigint } {
  try {
    const st = statfsSync(dir, { bigint: true });
    return { totalBytes: st.blocks * st.bsize, usableBytes: st.bavail * st.bsize };
  } catch {
    return { totalBytes: -1n, usableBytes: -1n };
  }
}

export const describeLogDirsHandler: Handler = {
  apiKey: 35,
  name: 'DescribeLogDirs',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as DescribeLogDirsRequest;
    const s = ctx.services;
    const snapshot = s.metadata();
    // Dispatch to every shard at once, await once.
    const replies = await Promise.all(
      s.shards.shards.map((shard) =>
        shard.control<{ errorCode: number; sizes?: Record<number, number> }>({ op: 'logDirSizes' }),
      ),
    );
    const sizes = new Map<number, number>();
    for (const r of replies)
      for (const [handle, size] of Object.entries(r.sizes ?? {})) sizes.set(Number(handle), size);
    const wanted =
      req.topics === null
        ? [...snapshot.topics.values()].map((t) => ({
            topic: t.name,
            partitions: t.partitions.map((p) => p.partition),
          }))
        : req.topics;
    const topics: DescribeLogDirsResponseDescribeLogDirsTopic[] = [];
    for (const w of wanted) {
      const t = snapshot.topics.get(w.topic);
      if (t === undefined) continue;
      const partitions: DescribeLogDirsResponseDescribeLogDirsPartition[] = [];
      for (const index of w.partitions) {
        const p = t.partitions[index];
        const size = p === undefined ? undefined : sizes.get(p.partitionHandle);
        if (size === undefined) continue;
        partitions.push({ partitionIndex: index, partitionSize: BigInt(size), offsetLag: 0n, isFutureKey: false });
      }
      if (partitions.length > 0) topics.push({ name: t.name, partitions });
    }
    const disk = ctx.apiVersion >= 4 ? diskBytes(s.dataDir) : { totalBytes: -1n, usableBytes: -1n };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: resolve(s.dataDir), topics, ...disk }],
    };
  },
};
