// The messages between the main thread and a shard, carried in ring entries (packages/ring). The ring's tag is the
// opcode; the payload is laid out here, big-endian, byte by byte. Nothing else encodes or decodes these payloads.
//
// Requests (main -> shard, request ring):
//   APPEND   0 requestId u32 | 4 partitionHandle i32 | 8 flags u32 (bit 0: reply after fdatasync) | 12 reserved u32
//            16.. record batches (magic 2), written to the log straight from ring memory (offsets patched there)
//   READ     0 requestId u32 | 4 partitionHandle i32 | 8 fetchOffset f64 | 16 maxBytes i32
//            20 flags u32 (bit 0: read to logEndOffset instead of the highWatermark; bit 1: minOneMessage)
//   CONTROL  0 requestId u32 | 4.. UTF-8 JSON of a ControlRequest (rare operations: create, delete, list offsets...)
//   GROUP    0 requestId u32 | 4 partitionHandle i32 (a __consumer_offsets partition) | 8 clientHostLength u16
//            10 clientHost UTF-8 | .. the group API request frame as encodeRequest writes it, size prefix
//            included (api key/version and client id in its header; correlation id unused)
//   TXN      0 requestId u32 | 4 partitionHandle i32 (a __transaction_state partition) | 8 grantedProducerId f64
//            (a fresh producer id for the shard's pool, -1 none) | 16 clientHostLength u16 | 18 clientHost UTF-8
//            | .. the transaction API request frame, as GROUP's; answered by a GROUP completion
//   READ flags bit 2: read_committed (stop at the lastStableOffset, list aborted transactions)
// Completions (shard -> main, completion ring):
//   APPEND   0 requestId u32 | 4 errorCode i16 | 6 reserved | 8 baseOffset f64 | 16 logAppendTime f64
//            24 logStartOffset f64
//   READ     0 requestId u32 | 4 errorCode i16 | 6 reserved | 8 size i32 | 12 fd i32 | 16 position f64
//            24 highWatermark f64 | 32 lastStableOffset f64 | 40 logStartOffset f64 | 48 firstBatchOffset f64
//            56 firstBatchSize i32 (bytes of the batch at position, -1 when size is 0) | 60 reserved u32
//            64 abortedCount u32 (read_committed only, else absent) | 68.. abortedCount x (producerId f64,
//            firstOffset f64)
//   CONTROL  0 requestId u32 | 4.. UTF-8 JSON of the reply; also a failed APPEND with record errors (Produce's
//            recordErrors), as the JSON of an AppendCompletion with errorMessage and recordErrors
//   GROUP    0 requestId u32 | 4.. the response frame as encodeResponse writes it (size prefix included); it may
//            come long after the request (JoinGroup waits for the rebalance)
//   OFFSETS  0 partitionHandle i32 | 4 reserved | 8 highWatermark f64 | 16 logEndOffset f64 | 24 logStartOffset f64
//            published after a group-commit turn for every partition whose offsets moved (wakes long polls)
// Offsets are below 2^53 and travel as float64, which holds them exactly.
// The fd of a READ completion belongs to the shard (worker threads share the process's fd table); the main thread
// only preads it (or sends it with sendfile, Fetch v4+). Deleted segments keep their fd for file.delete.delay.ms
// (60 s: topic deletion in shard-worker.ts 'delete', retention and compaction in storage's segment deletion), so
// reads and sends in flight finish on the file they were given, never on a closed or reused fd.

export const OP_APPEND = 1;
export const OP_READ = 2;
export const OP_CONTROL = 3;
export const OP_OFFSETS = 4;
export const OP_GROUP = 5;
export const OP_TXN = 6;

export const APPEND_HEADER_BYTES = 16;
export const READ_REQUEST_BYTES = 24;
export const APPEND_COMPLETION_BYTES = 32;
export const READ_COMPLETION_BYTES = 64;
export const OFFSETS_BYTES = 32;

export const APPEND_FLAG_WAIT_DURABLE = 1;
export const READ_FLAG_LOG_END = 1;
export const READ_FLAG_MIN_ONE_MESSAGE = 2;
export const READ_FLAG_READ_COMMITTED = 4;

function view(bytes: Uint8Array, offset: number, length: number): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, length);
}

export function encodeAppendHeader(requestId: number, partitionHandle: number, flags: number): Uint8Array {
  const b = new Uint8Array(APPEND_HEADER_BYTES);
  const v = view(b, 0, APPEND_HEADER_BYTES);
  v.setUint32(0, requestId);
  v.setInt32(4, partitionHandle);
  v.setUint32(8, flags);
  return b;
}

export interface AppendRequest {
  requestId: number;
  partitionHandle: number;
  flags: number;
  /** Offset of the record batches in the ring's bytes. */
  recordsOffset: number;
  recordsLength: number;
}

export function decodeAppendRequest(bytes: Uint8Array, offset: number, length: number): AppendRequest {
  const v = view(bytes, offset, APPEND_HEADER_BYTES);
  return {
    requestId: v.getUint32(0),
    partitionHandle: v.getInt32(4),
    flags: v.getUint32(8),
    recordsOffset: offset + APPEND_HEADER_BYTES,
    recordsLength: length - APPEND_HEADER_BYTES,
  };
}

export interface ReadRequest {
  requestId: number;
  partitionHandle: number;
  fetchOffset: number;
  maxBytes: number;
  flags: number;
}

export function encodeReadRequest(r: ReadRequest): Uint8Array {
  const b = new Uint8Array(READ_REQUEST_BYTES);
  const v = view(b, 0, READ_REQUEST_BYTES);
  v.setUint32(0, r.requestId);
  v.setInt32(4, r.partitionHandle);
  v.setFloat64(8, r.fetchOffset);
  v.setInt32(16, r.maxBytes);
  v.setUint32(20, r.flags);
  return b;
}

export function decodeReadRequest(bytes: Uint8Array, offset: number): ReadRequest {
  const v = view(bytes, offset, READ_REQUEST_BYTES);
  return {
    requestId: v.getUint32(0),
    partitionHandle: v.getInt32(4),
    fetchOffset: v.getFloat64(8),
    maxBytes: v.getInt32(16),
    flags: v.getUint32(20),
  };
}

export function encodeControl(requestId: number, message: unknown): Uint8Array {
  const json = Buffer.from(JSON.stringify(message), 'utf8');
  const b = new Uint8Array(4 + json.length);
  view(b, 0, 4).setUint32(0, requestId);
  b.set(json, 4);
  return b;
}

export function decodeControl(
  bytes: Uint8Array,
  offset: number,
  length: number,
): { requestId: number; message: unknown } {
  const requestId = view(bytes, offset, 4).getUint32(0);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + offset + 4, length - 4).toString('utf8');
  return { requestId, message: JSON.parse(text) };
}

export interface AppendCompletion {
  requestId: number;
  errorCode: number;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  /** Only on a failure sent as a CONTROL completion (INVALID_RECORD with record errors). */
  errorMessage?: string;
  recordErrors?: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
}

export function encodeAppendCompletion(c: AppendCompletion): Uint8Array {
  const b = new Uint8Array(APPEND_COMPLETION_BYTES);
  const v = view(b, 0, APPEND_COMPLETION_BYTES);
  v.setUint32(0, c.requestId);
  v.setInt16(4, c.errorCode);
  v.setFloat64(8, c.baseOffset);
  v.setFloat64(16, c.logAppendTime);
  v.setFloat64(24, c.logStartOffset);
  return b;
}

export function decodeAppendCompletion(bytes: Uint8Array, offset: number): AppendCompletion {
  const v = view(bytes, offset, APPEND_COMPLETION_BYTES);
  return {
    requestId: v.getUint32(0),
    errorCode: v.getInt16(4),
    baseOffset: v.getFloat64(8),
    logAppendTime: v.getFloat64(16),
    logStartOffset: v.getFloat64(24),
  };
}

export interface ReadCompletion {
  requestId: number;
  errorCode: number;
  size: number;
  fd: number;
  position: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  firstBatchOffset: number;
  /** Length of the first batch (log overhead included), -1 when size is 0: Fetch sends a later partition empty
   * when not even this fits in what is left of the response, without reading the bytes to find out. */
  firstBatchSize: number;
  /** read_committed only: aborted transactions overlapping [fetchOffset, lastStableOffset). */
  abortedTransactions?: Array<{ producerId: number; firstOffset: number }>;
}

export function encodeReadCompletion(c: ReadCompletion): Uint8Array {
  const aborted = c.abortedTransactions;
  const total = READ_COMPLETION_BYTES + (aborted === undefined ? 0 : 4 + 16 * aborted.length);
  const b = new Uint8Array(total);
  const v = view(b, 0, total);
  if (aborted !== undefined) {
    v.setUint32(READ_COMPLETION_BYTES, aborted.length);
    let pos = READ_COMPLETION_BYTES + 4;
    for (const a of aborted) {
      v.setFloat64(pos, a.producerId);
      v.setFloat64(pos + 8, a.firstOffset);
      pos += 16;
    }
  }
  v.setUint32(0, c.requestId);
  v.setInt16(4, c.errorCode);
  v.setInt32(8, c.size);
  v.setInt32(12, c.fd);
  v.setFloat64(16, c.position);
  v.setFloat64(24, c.highWatermark);
  v.setFloat64(32, c.lastStableOffset);
  v.setFloat64(40, c.logStartOffset);
  v.setFloat64(48, c.firstBatchOffset);
  v.setInt32(56, c.firstBatchSize);
  return b;
}

export function decodeReadCompletion(
  bytes: Uint8Array,
  offset: number,
  length = READ_COMPLETION_BYTES,
): ReadCompletion {
  const v = view(bytes, offset, length);
  let abortedTransactions: ReadCompletion['abortedTransactions'];
  if (length >= READ_COMPLETION_BYTES + 4) {
    const n = v.getUint32(READ_COMPLETION_BYTES);
    abortedTransactions = [];
    for (let i = 0, pos = READ_COMPLETION_BYTES + 4; i < n; i++, pos += 16) {
      abortedTransactions.push({ producerId: v.getFloat64(pos), firstOffset: v.getFloat64(pos + 8) });
    }
  }
  return {
    abortedTransactions,
    requestId: v.getUint32(0),
    errorCode: v.getInt16(4),
    size: v.getInt32(8),
    fd: v.getInt32(12),
    position: v.getFloat64(16),
    highWatermark: v.getFloat64(24),
    lastStableOffset: v.getFloat64(32),
    logStartOffset: v.getFloat64(40),
    firstBatchOffset: v.getFloat64(48),
    firstBatchSize: v.getInt32(56),
  };
}

export interface PartitionOffsets {
  partitionHandle: number;
  highWatermark: number;
  logEndOffset: number;
  logStartOffset: number;
}

export function encodeOffsets(o: PartitionOffsets): Uint8Array {
  const b = new Uint8Array(OFFSETS_BYTES);
  const v = view(b, 0, OFFSETS_BYTES);
  v.setInt32(0, o.partitionHandle);
  v.setFloat64(8, o.highWatermark);
  v.setFloat64(16, o.logEndOffset);
  v.setFloat64(24, o.logStartOffset);
  return b;
}

export function decodeOffsets(bytes: Uint8Array, offset: number): PartitionOffsets {
  const v = view(bytes, offset, OFFSETS_BYTES);
  return {
    partitionHandle: v.getInt32(0),
    highWatermark: v.getFloat64(8),
    logEndOffset: v.getFloat64(16),
    logStartOffset: v.getFloat64(24),
  };
}

/** Storage settings of one partition log, as the shard opens it (packages/storage LogConfig fields). */
export type ShardLogConfig = Record<string, number | string | boolean>;

/** A partition a shard opens or creates. */
export interface ShardPartition {
  partitionHandle: number;
  topic: string;
  partition: number;
  config: ShardLogConfig;
  /** From the log dir's log-start-offset checkpoint (0 when unknown). */
  logStartOffset: number;
}

/** CONTROL requests. Replies: { errorCode, ... } per operation. */
export type ControlRequest =
  | { op: 'create'; partitions: ShardPartition[] }
  | { op: 'delete'; partitionHandles: number[] }
  | { op: 'alterConfig'; partitionHandle: number; config: ShardLogConfig }
  /** timestamp: -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5 latest tiered, else by time. */
  | {
      op: 'listOffsets';
      partitionHandle: number;
      timestamp: number;
      isolation: 'highWatermark' | 'logEnd' | 'readCommitted';
    }
  | { op: 'deleteRecords'; partitionHandle: number; offset: number }
  | { op: 'logDirSizes' }
  /** DescribeProducers: { errorCode, producers?: ActiveProducer[] } (UNKNOWN_TOPIC_OR_PARTITION when not here). */
  | { op: 'describeProducers'; partitionHandle: number }
  /** Metrics scrape: { errorCode, flush: FlushTimingsSnapshot, committed: CommittedOffsetStat[] } (metrics/). */
  | { op: 'stats'; maxCommitted: number }
  /** Broker stop: every group coordinator answers what it holds (parked JoinGroups...) with NOT_COORDINATOR. */
  | { op: 'unloadGroups' }
  /** Appends a COMMIT/ABORT marker (origin coordinator) and replies { errorCode } once it is durable. */
  | { op: 'writeTxnMarker'; partitionHandle: number; marker: TxnMarker }
  /** Every marker of a transaction is durable: its coordinator (on __transaction_state `partitionHandle`) completes it. */
  | { op: 'txnMarkersWritten'; partitionHandle: number; marker: TxnMarker & { transactionalId: string } };

/** One producer of a partition's producer state, as DescribeProducers answers it (ids below 2^53 as numbers). */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  /** Last sequence of the producer's last retained batch, -1 when none. */
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** First offset of its open transaction, -1 when none. */
  currentTxnStartOffset: number;
}

/** A transaction marker as it crosses threads (producer ids below 2^53 travel as numbers). */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  committed: boolean;
}

/** Posted (worker postMessage) by the shard hosting a transaction coordinator: write these markers, then answer
 * txnMarkersWritten. */
export interface TxnMarkersMessage {
  txnMarkers: {
    coordinatorHandle: number;
    transactionalId: string;
    marker: TxnMarker;
    partitions: { topic: string; partitions: number[] }[];
  };
}

export interface ListOffsetsReply {
  errorCode: number;
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

export interface GroupRequest {
  requestId: number;
  partitionHandle: number;
  clientHost: string;
  /** The request frame (size prefix included), a view into the ring's bytes. */
  frame: Uint8Array;
}

export function encodeGroupRequestHeader(requestId: number, partitionHandle: number, clientHost: string): Uint8Array {
  const host = Buffer.from(clientHost, 'utf8').subarray(0, 0xffff);
  const b = new Uint8Array(10 + host.length);
  const v = view(b, 0, 10);
  v.setUint32(0, requestId);
  v.setInt32(4, partitionHandle);
  v.setUint16(8, host.length);
  b.set(host, 10);
  return b;
}

export function decodeGroupRequest(bytes: Uint8Array, offset: number, length: number): GroupRequest {
  const v = view(bytes, offset, 10);
  const hostLength = v.getUint16(8);
  const host = Buffer.from(bytes.buffer, bytes.byteOffset + offset + 10, hostLength).toString('utf8');
  return {
    requestId: v.getUint32(0),
    partitionHandle: v.getInt32(4),
    clientHost: host,
    frame: bytes.subarray(offset + 10 + hostLength, offset + length),
  };
}

export interface TxnRequest extends GroupRequest {
  grantedProducerId: number;
}

export function encodeTxnRequestHeader(
  requestId: number,
  partitionHandle: number,
  grantedProducerId: number,
  clientHost: string,
): Uint8Array {
  const host = Buffer.from(clientHost, 'utf8').subarray(0, 0xffff);
  const b = new Uint8Array(18 + host.length);
  const v = view(b, 0, 18);
  v.setUint32(0, requestId);
  v.setInt32(4, partitionHandle);
  v.setFloat64(8, grantedProducerId);
  v.setUint16(16, host.length);
  b.set(host, 18);
  return b;
}

export function decodeTxnRequest(bytes: Uint8Array, offset: number, length: number): TxnRequest {
  const v = view(bytes, offset, 18);
  const hostLength = v.getUint16(16);
  const host = Buffer.from(bytes.buffer, bytes.byteOffset + offset + 18, hostLength).toString('utf8');
  return {
    requestId: v.getUint32(0),
    partitionHandle: v.getInt32(4),
    grantedProducerId: v.getFloat64(8),
    clientHost: host,
    frame: bytes.subarray(offset + 18 + hostLength, offset + length),
  };
}

export function encodeGroupCompletionHeader(requestId: number): Uint8Array {
  const b = new Uint8Array(4);
  view(b, 0, 4).setUint32(0, requestId);
  return b;
}

/** The response frame of a GROUP completion, copied out of the ring (it is released after the loop turn). */
export function decodeGroupCompletion(
  bytes: Uint8Array,
  offset: number,
  length: number,
): { requestId: number; frame: Buffer } {
  const requestId = view(bytes, offset, 4).getUint32(0);
  return { requestId, frame: Buffer.from(bytes.subarray(offset + 4, offset + length)) };
}

export interface ShardWorkerData {
  shardId: number;
  dataDir: string;
  requests: SharedArrayBuffer;
  completions: SharedArrayBuffer;
  cleanShutdown: boolean;
  partitions: ShardPartition[];
  retentionCheckIntervalMs: number;
  ackBeforeFsync: boolean;
  /** producer.id.expiration.ms for every log's idempotent producer state (storage's default when absent). */
  producerIdExpirationMs?: number;
  /** Group coordinator settings (CoordinatorConfig fields) for the __consumer_offsets partitions. */
  groupConfig?: Record<string, number>;
  /** Transaction coordinator settings (TxnCoordinatorConfig fields) for the __transaction_state partitions. */
  txnConfig?: Record<string, number>;
}
