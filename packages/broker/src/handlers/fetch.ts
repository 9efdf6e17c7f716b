// Fetch (key 1) v0-17, for consumers (replicaId is ignored: there are no followers on one node).
// - Each partition is read from the batch holding fetchOffset, at most partitionMaxBytes; the response stops at
//   maxBytes (v3+), except that the first non-empty partition is sent whole even when larger (KIP-74); a later
//   partition that cannot fit one whole batch in what is left is sent empty. The last batch may be cut (clients
//   drop a partial trailing batch).
// - Long poll: fewer than minBytes -> park in the fetch purgatory until a highWatermark moves past a fetch offset
//   or maxWaitMs passes, then read again. Any partition error answers at once.
// - Sessions (KIP-227): none; sessionId 0 in every response means "sessionless" and clients send full fetches.
// - isolationLevel (v4+): read_committed reads stop at the lastStableOffset and list the aborted transactions
//   overlapping [fetchOffset, lastStableOffset) (the client drops their records); null for read_uncommitted. A
//   read_committed long poll wakes on any offset move: the lastStableOffset only moves with a marker append.
// - v13+ name topics by ID (unknown -> UNKNOWN_TOPIC_ID); v0-3 get magic 0 (v0-1) or 1 (v2-3) message sets,
//   down-converted from the stored magic-2 batches (headers are lost, as in Kafka).
// - Errors: UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE, KAFKA_STORAGE_ERROR; with an error the partition's
//   highWatermark, lastStableOffset and logStartOffset are -1, as Kafka answers.
// v4+ answers with the records left in the segment files (recordsInFile: fd, position, length from the shard's READ
// completion); the connection sends them without copying (server/connection.ts, ARCHITECTURE.md §4). v0-3 read the
// bytes on the main thread into pooled buffers (fetch/segment-reader.ts) to down-convert them.
import {
  type FetchRequest,
  type FetchResponseFetchableTopicResponse,
  type FetchResponsePartitionData,
  recordBatchesToMessageSet,
} from '@sluice/protocol';
import { ErrorCode, storageErrorForVersion } from '../error-codes.ts';
import { READ_FLAG_MIN_ONE_MESSAGE, READ_FLAG_READ_COMMITTED, type ReadCompletion } from '../shard/shard-protocol.ts';
import type { Handler, RequestContext } from './handler.ts';

const EMPTY = Buffer.alloc(0);
const NO_EPOCH_END = { epoch: -1, endOffset: -1n };
const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };
const NO_SNAPSHOT = { endOffset: -1n, epoch: -1 };

interface Wanted {
  out: FetchResponsePartitionData;
  handle: number;
  shard: number;
  fetchOffset: number;
  maxBytes: number;
  read?: ReadCompletion;
}

function partitionData(partitionIndex: number, errorCode: number, readCommitted: boolean): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    divergingEpoch: NO_EPOCH_END,
    currentLeader: NO_LEADER,
    snapshotId: NO_SNAPSHOT,
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: EMPTY,
    recordsInFile: undefined,
  };
}

export const fetchHandler: Handler = {
  apiKey: 1,
  name: 'Fetch',
  minVersion: 0,
  maxVersion: 17,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as FetchRequest;
    const s = ctx.services;
    const v = ctx.apiVersion;
    const snapshot = s.metadata();
    const readCommitted = v >= 4 && req.isolationLevel === 1;
    const responses: FetchResponseFetchableTopicResponse[] = [];
    const wanted: Wanted[] = [];
    for (const topic of req.topics) {
      const t = v >= 13 ? snapshot.topicsById.get(topic.topicId) : snapshot.topics.get(topic.topic);
      const partitions: FetchResponsePartitionData[] = [];
      responses.push({
        topic: v >= 13 ? '' : topic.topic,
        topicId: v >= 13 ? topic.topicId : topic.topicId,
        partitions,
      });
      for (const fp of topic.partitions) {
        const p = t?.partitions[fp.partition];
        if (t === undefined || p === undefined || fp.partition < 0) {
          const code = v >= 13 && t === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          partitions.push(partitionData(fp.partition, code, readCommitted));
          continue;
        }
        const out = partitionData(fp.partition, ErrorCode.NONE, readCommitted);
        partitions.push(out);
        wanted.push({
          out,
          handle: p.partitionHandle,
          shard: p.shard,
          fetchOffset: Number(fp.fetchOffset),
          maxBytes: Math.max(0, fp.partitionMaxBytes),
        });
      }
    }
    const responseMaxBytes = v >= 3 ? Math.max(0, req.maxBytes) : Number.MAX_SAFE_INTEGER;
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    let answerNow = wanted.length !== responses.reduce((n, r) => n + r.partitions.length, 0);
    for (;;) {
      // Dispatch every read, then await them together.
      const reads = wanted.map((w) =>
        s.shards.shards[w.shard].read(
          w.handle,
          w.fetchOffset,
          w.maxBytes,
          READ_FLAG_MIN_ONE_MESSAGE | (readCommitted ? READ_FLAG_READ_COMMITTED : 0),
        ),
      );
      const results = await Promise.all(reads);
      let available = 0;
      for (let i = 0; i < wanted.length; i++) {
        wanted[i].read = results[i];
        if (results[i].errorCode !== ErrorCode.NONE) answerNow = true;
        available += results[i].size;
      }
      const remaining = deadline - Date.now();
      if (answerNow || available >= req.minBytes || remaining <= 0 || wanted.length === 0) break;
      await s.fetchPurgatory.wait(new Map(wanted.map((w) => [w.handle, w.fetchOffset])), remaining);
      // Past the deadline, or the broker is stopping: one last read, then answer with whatever is there.
      if (Date.now() >= deadline || s.fetchPurgatory.isClosed) answerNow = true;
    }
    // Trim to the response limit, then point at (v4+) or read (v0-3) the bytes of every partition at once.
    let budget = responseMaxBytes;
    let firstNonEmpty = true;
    const sizes = wanted.map((w) => {
      const r = w.read!;
      if (r.errorCode !== ErrorCode.NONE || r.size <= 0) return 0;
      if (firstNonEmpty) {
        firstNonEmpty = false;
        const size = v >= 3 ? r.size : Math.min(r.size, budget);
        budget -= size;
        return size;
      }
      const size = Math.max(0, Math.min(r.size, budget));
      budget -= size;
      return size;
    });
    let isFirst = true;
    await Promise.all(
      wanted.map(async (w, i) => {
        const r = w.read!;
        w.out.errorCode = r.errorCode;
        // On an error (OFFSET_OUT_OF_RANGE included) Kafka answers -1 for all three offsets: the client learns the
        // log's bounds from ListOffsets when it resets, and a differential test holds us to the same answer.
        if (r.errorCode === ErrorCode.NONE) {
          w.out.highWatermark = BigInt(r.highWatermark);
          w.out.lastStableOffset = BigInt(r.lastStableOffset);
          w.out.logStartOffset = BigInt(r.logStartOffset);
          if (readCommitted && r.abortedTransactions !== undefined) {
            w.out.abortedTransactions = r.abortedTransactions.map((a) => ({
              producerId: BigInt(a.producerId),
              firstOffset: BigInt(a.firstOffset),
            }));
          }
        }
        if (sizes[i] === 0) return;
        const first = isFirst;
        isFirst = false;
        // A later partition that cannot hold one whole batch is sent empty (only the first may exceed the limit).
        // The shard measured the first batch (firstBatchSize; -1: not even a whole header, so not a whole batch).
        if (!first && (r.firstBatchSize < 0 || r.firstBatchSize > sizes[i])) return;
        if (v >= 4) {
          // Records stay in the segment file: the connection sends the range from the page cache (sendfile on plain
          // TCP, pooled reads otherwise; server/connection.ts). The fd is the shard's; it stays open past a topic
          // deletion or retention for file.delete.delay.ms (60 s; shard-worker.ts 'delete', storage's delayed
          // deletes of .deleted segments), so a send queued behind a slow response still reads this log's bytes.
          w.out.recordsInFile = { fd: r.fd, position: r.position, length: sizes[i] };
          s.metrics.onFetched(w.handle, sizes[i]);
          return;
        }
        // v0-3: down-converted to magic 0/1 message sets, so the bytes are read here.
        const got = await s.segmentReader.read(r.fd, r.position, sizes[i]);
        if (got instanceof Error) {
          w.out.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
          return;
        }
        let records: Buffer = got.bytes;
        if (records.length > 0) {
          try {
            records = recordBatchesToMessageSet(records, v <= 1 ? 0 : 1, { minOffset: w.fetchOffset });
          } catch {
            w.out.errorCode = ErrorCode.CORRUPT_MESSAGE;
            records = EMPTY;
          }
        }
        // The slab goes back to the pool once the response holding it is encoded.
        ctx.afterResponse(() => s.segmentReader.release(got.slab));
        w.out.records = records;
        s.metrics.onFetched(w.handle, records.length);
      }),
    );
    for (const w of wanted) w.out.errorCode = storageErrorForVersion(w.out.errorCode, v, 6);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints: [] };
  },
};
