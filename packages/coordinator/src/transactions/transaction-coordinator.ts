// TransactionCoordinator: Kafka's transaction coordinator for the transactional ids of ONE __transaction_state
// partition, as a deterministic state machine with no I/O (ARCHITECTURE.md §6). It runs on the shard that owns the
// partition; which partition owns an id is partitionFor(transactionalId, transaction.state.log.num.partitions = 50).
//
// How the shard drives it (the same shape as GroupCoordinator):
//   const c = new TransactionCoordinator({ allocateProducerId, writeMarkers, coordinatorEpoch })  // loading
//   for each record of the partition, in offset order: c.loadRecord(key, value)       (value null = tombstone)
//   c.completeLoad(nowMs) -> Append | null     // serving; PrepareCommit/PrepareAbort found in the log resume:
//                                              //   their markers are requested again
//   c.handle(apiKey, apiVersion, request, nowMs, respond) -> Append | null
//        InitProducerId 22 v0-5 WITH a transactionalId (null ones are the broker's idempotent path),
//        AddPartitionsToTxn 24 v0-5, AddOffsetsToTxn 25 v0-4, EndTxn 26 v0-5, DescribeTransactions 65 v0,
//        ListTransactions 66 v0-1. `respond(body)` is called exactly once, once the step's records are durable.
//   c.tick(nowMs) -> Append | null             // timers: timed-out transactions abort (every 10 s), idle ids
//                                              //   expire (every hour); call at c.nextDeadline()
//   c.onRecordsDurable(appendSeq) / c.onAppendFailed(appendSeq) / c.unload()   as GroupCoordinator
//   writeMarkers(request) (an OUTPUT): once a PrepareCommit/PrepareAbort record is durable, the broker must append
//        a COMMIT/ABORT control batch (buildEndTxnMarkerBatch: producerId, producerEpoch, coordinatorEpoch) to
//        every partition listed, with origin 'coordinator', retrying until each is written (a deleted partition
//        counts as written), then call
//   c.markersWritten(transactionalId, producerId, producerEpoch, nowMs) -> Append | null   (an INPUT): the
//        transaction completes (CompleteCommit/CompleteAbort record). Until then the id answers
//        CONCURRENT_TRANSACTIONS to InitProducerId/AddPartitions/AddOffsets and to an EndTxn retry.
// EndTxn is answered when the Prepare record is durable, before the markers (Kafka does the same for transaction
// version 1). A timed-out transaction is aborted with the epoch bumped by one (Kafka's prepareFenceProducerEpoch):
// the zombie's next request gets PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before the versions of KIP-588).
// Transaction version 2 (KIP-890: epoch bump at every EndTxn v5, implicit AddPartitions by Produce) is NOT done:
// EndTxn v5 is answered with classic semantics; the broker must not advertise the transaction.version feature.
// Owner: shard.
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  DescribeTransactionsRequest,
  EndTxnRequest,
  InitProducerIdRequest,
  ListTransactionsRequest,
} from '@sluice/protocol';
import { partitionFor } from '../partition-for.ts';
import type { CoordinatorRecord } from '../records.ts';
import { TimerQueue } from '../timer-queue.ts';
import { CONSUMER_OFFSETS_TOPIC, DEFAULT_TXN_COORDINATOR_CONFIG, type TxnCoordinatorConfig } from './txn-config.ts';
import { errorForVersion, TxnErrorCode } from './txn-errors.ts';
import {
  isEpochExhausted,
  NO_PRODUCER_EPOCH,
  partitionKey,
  partitionsByTopic,
  type TransactionMetadata,
  TxnState,
  type TxnStateValue,
} from './txn-metadata.ts';
import { decodeTxnRecord, transactionRecord, transactionTombstone } from './txn-records.ts';
import {
  addOffsetsToTxnResponse,
  describeTransactions,
  endTxnResponse,
  initProducerIdResponse,
  listTransactions,
  TxnApiKey,
  topicResults,
  txnErrorResponse,
} from './txn-responses.ts';

export interface TxnAppend {
  appendSeq: number;
  records: CoordinatorRecord[];
}

/** Write a COMMIT or ABORT marker for producerId/producerEpoch/coordinatorEpoch to each of `partitions`. */
export interface TxnMarkerRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  committed: boolean;
  partitions: { topic: string; partitions: number[] }[];
}

export interface TransactionCoordinatorOptions {
  config?: Partial<TxnCoordinatorConfig>;
  /** A producer id never handed out before (the broker's ProducerIdManager). */
  allocateProducerId: () => bigint;
  /** Called once a Prepare record is durable (and for Prepare states found at load). */
  writeMarkers: (request: TxnMarkerRequest) => void;
  /** The leader epoch of the __transaction_state partition; 0 on one node. Stamped into every marker. */
  coordinatorEpoch?: number;
  /** AddPartitionsToTxn: false gives UNKNOWN_TOPIC_OR_PARTITION (the rest OPERATION_NOT_ATTEMPTED). */
  partitionExists?: (topic: string, partition: number) => boolean;
}

/** What DescribeTransactions shows, plus the producer id before the last rollover (tests, tools). */
export interface TransactionView {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  state: TxnStateValue;
  txnTimeoutMs: number;
  partitions: string[];
  txnStartTimestampMs: number;
  txnLastUpdateTimestampMs: number;
}

type Phase = 'loading' | 'active' | 'failed';
type Respond = (response: unknown) => void;
/** A response or marker request of a step: `run` once the step is durable, `fail` if the coordinator retires. */
interface Output {
  run: () => void;
  fail: () => void;
}
interface Queued extends Output {
  waitFor: number;
}

const ABORT_TIMED_OUT = 'abort-timed-out';
const EXPIRE_IDS = 'expire-ids';

export class TransactionCoordinator {
  private phase: Phase = 'loading';
  private readonly txns = new Map<string, TransactionMetadata>();
  private readonly timers = new TimerQueue();
  private readonly config: TxnCoordinatorConfig;
  private readonly allocateProducerId: () => bigint;
  private readonly writeMarkers: (request: TxnMarkerRequest) => void;
  private readonly partitionExists: (topic: string, partition: number) => boolean;
  readonly coordinatorEpoch: number;
  private now = 0;
  private appendSeq = 0;
  private durableSeq = 0;
  private stepRecords: CoordinatorRecord[] = [];
  private stepOutputs: Output[] = [];
  private readonly queue: Queued[] = [];

  constructor(options: TransactionCoordinatorOptions) {
    this.config = { ...DEFAULT_TXN_COORDINATOR_CONFIG, ...options.config };
    this.allocateProducerId = options.allocateProducerId;
    this.writeMarkers = options.writeMarkers;
    this.partitionExists = options.partitionExists ?? (() => true);
    this.coordinatorEpoch = options.coordinatorEpoch ?? 0;
  }

  get isLoading(): boolean {
    return this.phase === 'loading';
  }

  loadRecord(key: Buffer, value: Buffer | null): void {
    if (this.phase !== 'loading') throw new Error('loadRecord after completeLoad');
    const r = decodeTxnRecord(key, value);
    if (r.type !== 'transaction') return;
    if (r.value === null) this.txns.delete(r.transactionalId);
    else this.txns.set(r.transactionalId, r.value);
  }

  completeLoad(nowMs: number): TxnAppend | null {
    if (this.phase !== 'loading') throw new Error('completeLoad twice');
    this.begin(nowMs);
    this.phase = 'active';
    for (const t of this.txns.values()) {
      if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort) this.requestMarkers(t);
      // Never written by us; an older broker's in-memory-only state cannot be in the log, but be safe: abort.
      if (t.state === TxnState.PrepareEpochFence) this.prepareEnd(t, false);
    }
    this.schedule(ABORT_TIMED_OUT, this.config.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOut());
    this.schedule(EXPIRE_IDS, this.config.removeExpiredTransactionalIdsIntervalMs, () => this.expireIds());
    return this.end();
  }

  handle(apiKey: number, apiVersion: number, request: unknown, nowMs: number, respond: Respond): TxnAppend | null {
    if (this.phase !== 'active') {
      const code = this.phase === 'loading' ? TxnErrorCode.COORDINATOR_LOAD_IN_PROGRESS : TxnErrorCode.NOT_COORDINATOR;
      respond(txnErrorResponse(apiKey, apiVersion, request, code));
      return null;
    }
    this.begin(nowMs);
    let response: unknown;
    switch (apiKey) {
      case TxnApiKey.InitProducerId:
        response = this.initProducerId(request as InitProducerIdRequest, apiVersion);
        break;
      case TxnApiKey.AddPartitionsToTxn:
        response = this.addPartitionsToTxn(request as AddPartitionsToTxnRequest, apiVersion);
        break;
      case TxnApiKey.AddOffsetsToTxn: {
        const r = request as AddOffsetsToTxnRequest;
        const p = partitionFor(r.groupId, this.config.offsetsTopicNumPartitions);
        const code = this.addPartitions(r.transactionalId, r.producerId, r.producerEpoch, [
          partitionKey(CONSUMER_OFFSETS_TOPIC, p),
        ]);
        response = addOffsetsToTxnResponse(errorForVersion(apiKey, apiVersion, code));
        break;
      }
      case TxnApiKey.EndTxn:
        response = this.endTxn(request as EndTxnRequest, apiVersion);
        break;
      case TxnApiKey.ListTransactions:
        response = listTransactions(this.txns.values(), request as ListTransactionsRequest, apiVersion, this.now);
        break;
      case TxnApiKey.DescribeTransactions:
        response = describeTransactions(this.txns, request as DescribeTransactionsRequest);
        break;
      default:
        throw new Error(`api key ${apiKey} is not a transaction coordinator API`);
    }
    this.stepOutputs.push({
      run: () => respond(response),
      fail: () => respond(txnErrorResponse(apiKey, apiVersion, request, TxnErrorCode.NOT_COORDINATOR)),
    });
    return this.end();
  }

  /** Every marker of the transaction is written: complete it. A stale call (other producer/epoch/state) is ignored. */
  markersWritten(transactionalId: string, producerId: bigint, producerEpoch: number, nowMs: number): TxnAppend | null {
    if (this.phase !== 'active') return null;
    this.begin(nowMs);
    const t = this.txns.get(transactionalId);
    if (
      t !== undefined &&
      t.producerId === producerId &&
      t.producerEpoch === producerEpoch &&
      (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort)
    ) {
      t.state = t.state === TxnState.PrepareCommit ? TxnState.CompleteCommit : TxnState.CompleteAbort;
      t.partitions = new Set();
      this.write(t);
    }
    return this.end();
  }

  tick(nowMs: number): TxnAppend | null {
    if (this.phase !== 'active') return null;
    this.begin(nowMs);
    for (let fn = this.timers.popDue(this.now); fn !== null; fn = this.timers.popDue(this.now)) fn();
    return this.end();
  }

  nextDeadline(): number | null {
    return this.phase === 'active' ? this.timers.nextDeadline() : null;
  }

  onRecordsDurable(appendSeq: number): void {
    if (appendSeq > this.durableSeq) this.durableSeq = appendSeq;
    let released = 0;
    while (released < this.queue.length && this.queue[released].waitFor <= this.durableSeq) released++;
    for (const q of this.queue.splice(0, released)) q.run();
  }

  onAppendFailed(_appendSeq: number): void {
    this.unload();
  }

  /** Refuses everything from now on; responses still waiting for durability answer NOT_COORDINATOR. */
  unload(): void {
    if (this.phase === 'failed') return;
    this.phase = 'failed';
    for (const q of this.queue.splice(0)) q.fail();
  }

  /** The ids and their state, sorted by id (tests, tools, the rebuild property). */
  transactions(): TransactionView[] {
    return [...this.txns.values()]
      .map((t) => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        state: t.state,
        txnTimeoutMs: t.txnTimeoutMs,
        partitions: [...t.partitions].sort(),
        txnStartTimestampMs: t.txnStartTimestampMs,
        txnLastUpdateTimestampMs: t.txnLastUpdateTimestampMs,
      }))
      .sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
  }

  // ---- InitProducerId (Kafka's TransactionCoordinator.handleInitProducerId) ----

  private initProducerId(req: InitProducerIdRequest, v: number) {
    const fail = (code: number) => initProducerIdResponse(errorForVersion(TxnApiKey.InitProducerId, v, code));
    const id = req.transactionalId;
    if (id === null || id === '') return fail(TxnErrorCode.INVALID_REQUEST);
    if (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > this.config.transactionMaxTimeoutMs) {
      return fail(TxnErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    // KIP-360 (v3+): the producer id and epoch the client holds, -1 when it has none.
    const expected = v >= 3 && req.producerId >= 0n ? { producerId: req.producerId, epoch: req.producerEpoch } : null;
    let t = this.txns.get(id);
    if (t === undefined) {
      t = {
        transactionalId: id,
        producerId: this.allocateProducerId(),
        previousProducerId: -1n,
        producerEpoch: NO_PRODUCER_EPOCH,
        lastProducerEpoch: NO_PRODUCER_EPOCH,
        txnTimeoutMs: req.transactionTimeoutMs,
        state: TxnState.Empty,
        partitions: new Set(),
        txnStartTimestampMs: -1,
        txnLastUpdateTimestampMs: this.now,
        clientTransactionVersion: 0,
      };
      this.txns.set(id, t);
    }
    const valid =
      expected === null ||
      t.producerEpoch === NO_PRODUCER_EPOCH ||
      expected.producerId === t.producerId ||
      (expected.producerId === t.previousProducerId && isEpochExhausted(expected.epoch));
    if (!valid) return fail(TxnErrorCode.PRODUCER_FENCED);
    switch (t.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
        return fail(TxnErrorCode.CONCURRENT_TRANSACTIONS);
      case TxnState.Ongoing:
        // Abort the open transaction with the epoch fenced; the client retries and gets a second bump then.
        this.fenceAndAbort(t);
        return fail(TxnErrorCode.CONCURRENT_TRANSACTIONS);
      default:
        break;
    }
    if (isEpochExhausted(t.producerEpoch) && (expected === null || expected.epoch === t.producerEpoch)) {
      // Rotation: a new producer id at epoch 0; a retry with the old id and exhausted epoch is recognized below.
      t.previousProducerId = t.producerId;
      t.lastProducerEpoch = expected === null ? NO_PRODUCER_EPOCH : t.producerEpoch;
      t.producerId = this.allocateProducerId();
      t.producerEpoch = 0;
    } else if (expected === null || t.producerEpoch === NO_PRODUCER_EPOCH || expected.epoch === t.producerEpoch) {
      t.lastProducerEpoch = t.producerEpoch;
      t.producerEpoch++;
    } else if (expected.epoch === t.lastProducerEpoch) {
      // A retry of a bump whose answer was lost: the same answer, nothing written.
      return initProducerIdResponse(TxnErrorCode.NONE, t.producerId, t.producerEpoch);
    } else {
      return fail(TxnErrorCode.PRODUCER_FENCED);
    }
    t.txnTimeoutMs = req.transactionTimeoutMs;
    t.state = TxnState.Empty;
    t.partitions = new Set();
    t.txnStartTimestampMs = -1;
    this.write(t);
    return initProducerIdResponse(TxnErrorCode.NONE, t.producerId, t.producerEpoch);
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

  private addPartitionsToTxn(req: AddPartitionsToTxnRequest, v: number): AddPartitionsToTxnResponse {
    const key = TxnApiKey.AddPartitionsToTxn;
    const out: AddPartitionsToTxnResponse = {
      throttleTimeMs: 0,
      errorCode: TxnErrorCode.NONE,
      resultsByTransaction: [],
      resultsByTopicV3AndBelow: [],
    };
    if (v < 4) {
      out.resultsByTopicV3AndBelow = this.addTopics(
        req.v3AndBelowTransactionalId,
        req.v3AndBelowProducerId,
        req.v3AndBelowProducerEpoch,
        req.v3AndBelowTopics,
        false,
        v,
      );
      return out;
    }
    // v4+: the batched broker-to-broker form (KIP-890 verification). verifyOnly checks membership without adding.
    for (const t of req.transactions) {
      const code = (c: number) => errorForVersion(key, v, c);
      const results = this.addTopics(t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly, v);
      for (const r of results) for (const p of r.resultsByPartition) p.partitionErrorCode = code(p.partitionErrorCode);
      out.resultsByTransaction.push({ transactionalId: t.transactionalId, topicResults: results });
    }
    return out;
  }

  private addTopics(
    id: string,
    producerId: bigint,
    epoch: number,
    topics: AddPartitionsToTxnRequest['v3AndBelowTopics'],
    verifyOnly: boolean,
    v: number,
  ): AddPartitionsToTxnResponse['resultsByTopicV3AndBelow'] {
    const missing = new Set<string>();
    const keys: string[] = [];
    for (const t of topics) {
      for (const p of t.partitions) {
        keys.push(partitionKey(t.name, p));
        if (!this.partitionExists(t.name, p)) missing.add(partitionKey(t.name, p));
      }
    }
    let code: number;
    if (missing.size > 0) {
      return topicResults(topics, (t, p) =>
        missing.has(partitionKey(t, p))
          ? TxnErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : TxnErrorCode.OPERATION_NOT_ATTEMPTED,
      );
    }
    if (verifyOnly) {
      const txn = this.txns.get(id);
      code = this.check(txn, producerId, epoch);
      if (code === TxnErrorCode.NONE && txn !== undefined) {
        return topicResults(topics, (t, p) =>
          txn.state === TxnState.Ongoing && txn.partitions.has(partitionKey(t, p))
            ? TxnErrorCode.NONE
            : TxnErrorCode.INVALID_TXN_STATE,
        );
      }
    } else {
      code = this.addPartitions(id, producerId, epoch, keys);
    }
    const c = errorForVersion(TxnApiKey.AddPartitionsToTxn, v, code);
    return topicResults(topics, () => c);
  }

  /** Kafka's checks shared by AddPartitions, AddOffsets and EndTxn, in Kafka's order. */
  private check(t: TransactionMetadata | undefined, producerId: bigint, epoch: number): number {
    if (t === undefined || t.producerId !== producerId) return TxnErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (t.producerEpoch !== epoch) return TxnErrorCode.PRODUCER_FENCED;
    return TxnErrorCode.NONE;
  }

  private addPartitions(id: string, producerId: bigint, epoch: number, keys: string[]): number {
    const t = this.txns.get(id);
    const code = this.check(t, producerId, epoch);
    if (code !== TxnErrorCode.NONE || t === undefined) return code;
    if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort) {
      return TxnErrorCode.CONCURRENT_TRANSACTIONS;
    }
    if (t.state === TxnState.Ongoing && keys.every((k) => t.partitions.has(k))) return TxnErrorCode.NONE;
    if (t.state !== TxnState.Ongoing) {
      t.txnStartTimestampMs = this.now;
      t.partitions = new Set();
    }
    for (const k of keys) t.partitions.add(k);
    t.state = TxnState.Ongoing;
    this.write(t);
    return TxnErrorCode.NONE;
  }

  // ---- EndTxn (Kafka's TransactionCoordinator.endTransaction, transaction version 1) ----

  private endTxn(req: EndTxnRequest, v: number) {
    const t = this.txns.get(req.transactionalId);
    const fail = (code: number) => endTxnResponse(errorForVersion(TxnApiKey.EndTxn, v, code));
    const code = this.check(t, req.producerId, req.producerEpoch);
    if (code !== TxnErrorCode.NONE || t === undefined) return fail(code);
    const ok = () => endTxnResponse(TxnErrorCode.NONE, t.producerId, t.producerEpoch);
    switch (t.state) {
      case TxnState.Ongoing:
        this.prepareEnd(t, req.committed);
        return ok();
      case TxnState.CompleteCommit:
        return req.committed ? ok() : fail(TxnErrorCode.INVALID_TXN_STATE);
      case TxnState.CompleteAbort:
        return req.committed ? fail(TxnErrorCode.INVALID_TXN_STATE) : ok();
      case TxnState.PrepareCommit:
        return fail(req.committed ? TxnErrorCode.CONCURRENT_TRANSACTIONS : TxnErrorCode.INVALID_TXN_STATE);
      case TxnState.PrepareAbort:
        return fail(req.committed ? TxnErrorCode.INVALID_TXN_STATE : TxnErrorCode.CONCURRENT_TRANSACTIONS);
      default:
        return fail(TxnErrorCode.INVALID_TXN_STATE);
    }
  }

  private prepareEnd(t: TransactionMetadata, committed: boolean): void {
    t.state = committed ? TxnState.PrepareCommit : TxnState.PrepareAbort;
    this.write(t);
    this.requestMarkers(t);
  }

  /** Kafka's prepareFenceProducerEpoch + abort: the zombie holding the old epoch can no longer write. */
  private fenceAndAbort(t: TransactionMetadata): void {
    if (t.producerEpoch < 32_767) t.producerEpoch++;
    t.lastProducerEpoch = NO_PRODUCER_EPOCH;
    this.prepareEnd(t, false);
  }

  private requestMarkers(t: TransactionMetadata): void {
    const request: TxnMarkerRequest = {
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      coordinatorEpoch: this.coordinatorEpoch,
      committed: t.state === TxnState.PrepareCommit,
      partitions: partitionsByTopic(t.partitions),
    };
    this.stepOutputs.push({ run: () => this.writeMarkers(request), fail: () => {} });
  }

  // ---- timers ----

  private abortTimedOut(): void {
    for (const t of this.txns.values()) {
      if (t.state === TxnState.Ongoing && t.txnStartTimestampMs + t.txnTimeoutMs < this.now) this.fenceAndAbort(t);
    }
    this.schedule(ABORT_TIMED_OUT, this.config.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOut());
  }

  private expireIds(): void {
    for (const t of [...this.txns.values()]) {
      const idle =
        t.state === TxnState.Empty || t.state === TxnState.CompleteCommit || t.state === TxnState.CompleteAbort;
      if (idle && t.txnLastUpdateTimestampMs <= this.now - this.config.transactionalIdExpirationMs) {
        this.txns.delete(t.transactionalId);
        this.stepRecords.push(transactionTombstone(t.transactionalId));
      }
    }
    this.schedule(EXPIRE_IDS, this.config.removeExpiredTransactionalIdsIntervalMs, () => this.expireIds());
  }

  private schedule(key: string, inMs: number, fn: () => void): void {
    this.timers.schedule(key, this.now + inMs, fn);
  }

  // ---- steps ----

  private write(t: TransactionMetadata): void {
    t.txnLastUpdateTimestampMs = this.now;
    this.stepRecords.push(transactionRecord(t));
  }

  private begin(nowMs: number): void {
    if (nowMs > this.now) this.now = nowMs;
    this.stepRecords = [];
    this.stepOutputs = [];
  }

  private end(): TxnAppend | null {
    let out: TxnAppend | null = null;
    if (this.stepRecords.length > 0) {
      this.appendSeq++;
      out = { appendSeq: this.appendSeq, records: this.stepRecords };
    }
    const outputs = this.stepOutputs;
    this.stepRecords = [];
    this.stepOutputs = [];
    for (const o of outputs) {
      if (this.appendSeq <= this.durableSeq) o.run();
      else this.queue.push({ waitFor: this.appendSeq, ...o });
    }
    return out;
  }
}
