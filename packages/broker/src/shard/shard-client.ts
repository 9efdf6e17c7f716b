// The main thread's end of one shard: starts the worker, pushes requests into its request ring, and runs the
// completion loop that resolves them and reports offset moves (OFFSETS) to `onOffsets`. Message layouts:
// shard-protocol.ts. A request's order on a partition is the order of its push (STYLE.md rule 3: dispatch, then
// await). When the request ring is full, RingProducer queues entries in JS; `backlogBytes` exposes that queue so
// connections can stop reading sockets (back-pressure).
// Owner: main thread.
import { Worker } from 'node:worker_threads';
import { createRing, RingConsumer, RingProducer } from '@sluice/ring';
import {
  type AppendCompletion,
  type ControlRequest,
  decodeAppendCompletion,
  decodeControl,
  decodeGroupCompletion,
  decodeOffsets,
  decodeReadCompletion,
  encodeAppendHeader,
  encodeControl,
  encodeGroupRequestHeader,
  encodeReadRequest,
  encodeTxnRequestHeader,
  OP_APPEND,
  OP_CONTROL,
  OP_GROUP,
  OP_OFFSETS,
  OP_READ,
  OP_TXN,
  type PartitionOffsets,
  type ReadCompletion,
  type ShardPartition,
  type ShardWorkerData,
  type TxnMarkersMessage,
} from './shard-protocol.ts';

export interface ShardClientOptions {
  shardId: number;
  dataDir: string;
  /** Request ring data bytes (a power of two); the largest append is this minus 24 bytes. */
  requestRingBytes: number;
  completionRingBytes: number;
  cleanShutdown: boolean;
  partitions: ShardPartition[];
  retentionCheckIntervalMs: number;
  ackBeforeFsync: boolean;
  producerIdExpirationMs?: number;
  groupConfig?: Record<string, number>;
  txnConfig?: Record<string, number>;
  onOffsets: (offsets: PartitionOffsets) => void;
  log: (message: string) => void;
}

const KAFKA_STORAGE_ERROR = 56;
// 1000 ms: the completion loop's longest sleep; a completion wakes it at once through the ring's futex.
const COMPLETION_WAIT_MS = 1000;

export class ShardClient {
  readonly shardId: number;
  private readonly worker: Worker;
  private readonly requests: RingProducer;
  private readonly completions: RingConsumer;
  private readonly pending = new Map<number, { resolve: (c: unknown) => void; failed: unknown }>();
  private nextRequestId = 1;
  private readonly onOffsets: (offsets: PartitionOffsets) => void;
  private exited = false;
  private closing = false;
  private readonly closed: Promise<boolean>;
  /** Markers a transaction coordinator on this shard asks for (set by the main thread's TxnRouter). */
  onTxnMarkers: ((m: TxnMarkersMessage) => void) | null = null;
  /** Resolves once the worker has opened its logs (or rejects when it failed to). */
  readonly ready: Promise<void>;

  constructor(o: ShardClientOptions) {
    this.shardId = o.shardId;
    this.onOffsets = o.onOffsets;
    const requestRing = createRing(o.requestRingBytes);
    const completionRing = createRing(o.completionRingBytes);
    this.requests = new RingProducer(requestRing);
    this.completions = new RingConsumer(completionRing);
    const workerData: ShardWorkerData = {
      shardId: o.shardId,
      dataDir: o.dataDir,
      requests: requestRing,
      completions: completionRing,
      cleanShutdown: o.cleanShutdown,
      partitions: o.partitions,
      retentionCheckIntervalMs: o.retentionCheckIntervalMs,
      ackBeforeFsync: o.ackBeforeFsync,
      producerIdExpirationMs: o.producerIdExpirationMs,
      groupConfig: o.groupConfig,
      txnConfig: o.txnConfig,
    };
    this.worker = new Worker(new URL('./shard-worker.ts', import.meta.url), { workerData, name: `shard-${o.shardId}` });
    let closedResolve!: (clean: boolean) => void;
    this.closed = new Promise((resolve) => {
      closedResolve = resolve;
    });
    this.ready = new Promise((resolve, reject) => {
      type Message = { ready?: boolean; closed?: boolean; clean?: boolean; warning?: string };
      this.worker.on('message', (m: Message & Partial<TxnMarkersMessage>) => {
        if (m.warning) o.log(m.warning);
        if (m.txnMarkers !== undefined) this.onTxnMarkers?.(m as TxnMarkersMessage);
        if (m.ready) resolve();
        if (m.closed) closedResolve(m.clean === true);
      });
      this.worker.on('error', (err) => {
        reject(err);
        o.log(`shard ${o.shardId} failed: ${err.stack ?? err}`);
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        if (!this.closing) o.log(`shard ${o.shardId} exited (${code}); its partitions answer KAFKA_STORAGE_ERROR`);
        this.failPending();
        closedResolve(false);
        reject(new Error(`shard ${o.shardId} exited`));
      });
    });
    void this.completionLoop();
  }

  /** Largest record-batch payload one append can carry. */
  get maxAppendBytes(): number {
    return this.requests.maxEntryLength - 16;
  }

  /** Bytes queued in JS because the request ring is full. */
  get backlogBytes(): number {
    return this.requests.queuedBytes;
  }

  /** `failed` is the answer every request gets if the shard dies first (errors are values: no rejection). */
  private register<T>(failed: T): { id: number; promise: Promise<T> } {
    const id = this.nextRequestId;
    this.nextRequestId = (id + 1) >>> 0 || 1;
    const promise = new Promise<T>((resolve) => {
      if (this.exited) resolve(failed);
      else this.pending.set(id, { resolve: resolve as (c: unknown) => void, failed });
    });
    return { id, promise };
  }

  private failPending(): void {
    for (const p of this.pending.values()) p.resolve(p.failed);
    this.pending.clear();
  }

  /** Appends record batches (copied once, into the ring). `waitDurable`: answer after fdatasync. */
  append(partitionHandle: number, records: Uint8Array, waitDurable: boolean): Promise<AppendCompletion> {
    const { id, promise } = this.register<AppendCompletion>({
      requestId: 0,
      errorCode: KAFKA_STORAGE_ERROR,
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: -1,
    });
    this.requests.push(OP_APPEND, encodeAppendHeader(id, partitionHandle, waitDurable ? 1 : 0), records);
    return promise;
  }

  read(partitionHandle: number, fetchOffset: number, maxBytes: number, flags: number): Promise<ReadCompletion> {
    const { id, promise } = this.register<ReadCompletion>({
      requestId: 0,
      errorCode: KAFKA_STORAGE_ERROR,
      size: 0,
      fd: -1,
      position: 0,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      firstBatchOffset: -1,
      firstBatchSize: -1,
    });
    this.requests.push(OP_READ, encodeReadRequest({ requestId: id, partitionHandle, fetchOffset, maxBytes, flags }));
    return promise;
  }

  control<T>(message: ControlRequest): Promise<T> {
    const { id, promise } = this.register<T>({ errorCode: KAFKA_STORAGE_ERROR, errors: {} } as T);
    this.requests.push(OP_CONTROL, encodeControl(id, message));
    return promise;
  }

  /**
   * A group API request for the coordinator of the __consumer_offsets partition `partitionHandle`: `frame` is the
   * request as encodeRequest writes it. Resolves the response frame (size prefix included), or an empty buffer when
   * the shard could not answer (the caller answers NOT_COORDINATOR). May resolve much later (JoinGroup).
   */
  group(partitionHandle: number, clientHost: string, frame: Uint8Array): Promise<Buffer> {
    const { id, promise } = this.register<Buffer>(Buffer.alloc(0));
    this.requests.push(OP_GROUP, encodeGroupRequestHeader(id, partitionHandle, clientHost), frame);
    return promise;
  }

  /** A transaction API request for the coordinator of __transaction_state partition `partitionHandle`, carrying
   * `grantedProducerId` (a fresh producer id for the shard's pool, -1 none). Answers as group(). */
  txn(partitionHandle: number, grantedProducerId: number, clientHost: string, frame: Uint8Array): Promise<Buffer> {
    const { id, promise } = this.register<Buffer>(Buffer.alloc(0));
    this.requests.push(OP_TXN, encodeTxnRequestHeader(id, partitionHandle, grantedProducerId, clientHost), frame);
    return promise;
  }

  private async completionLoop(): Promise<void> {
    const c = this.completions;
    for (;;) {
      while (c.next()) {
        const { tag, bytes, offset, length } = c;
        if (tag === OP_OFFSETS) {
          this.onOffsets(decodeOffsets(bytes, offset));
          continue;
        }
        let requestId: number;
        let value: unknown;
        if (tag === OP_APPEND) {
          const a = decodeAppendCompletion(bytes, offset);
          requestId = a.requestId;
          value = a;
        } else if (tag === OP_READ) {
          const r = decodeReadCompletion(bytes, offset, length);
          requestId = r.requestId;
          value = r;
        } else if (tag === OP_GROUP) {
          const g = decodeGroupCompletion(bytes, offset, length);
          requestId = g.requestId;
          value = g.frame;
        } else {
          const m = decodeControl(bytes, offset, length);
          requestId = m.requestId;
          value = m.message;
        }
        const p = this.pending.get(requestId);
        this.pending.delete(requestId);
        p?.resolve(value);
      }
      c.release();
      if (c.ended || this.exited) return;
      const wait = c.waitAsync(COMPLETION_WAIT_MS);
      if (wait !== undefined) {
        // A second bound, 5x the first, in case the ring's bounded wait never returns (see shard-worker.ts idle()).
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          wait,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, 5 * COMPLETION_WAIT_MS);
          }),
        ]);
        clearTimeout(timer);
      }
    }
  }

  /**
   * Stops the shard: it finishes what is in its ring, flushes and closes every log, then exits. Resolves true when
   * every log closed cleanly.
   */
  async close(): Promise<boolean> {
    this.closing = true;
    if (this.exited) return false;
    this.requests.close();
    const clean = await this.closed;
    await this.worker.terminate();
    return clean;
  }
}
