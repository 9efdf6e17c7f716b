// Test support for the transaction coordinator: a fake clock, the partition's log kept as appended (durable at once
// unless `holdDurability`), responses encoded with the generated writers at the request's version (a field the
// version lacks fails the test), and marker requests collected for the test to "write".
import {
  sizeOfAddOffsetsToTxnResponse,
  sizeOfAddPartitionsToTxnResponse,
  sizeOfDescribeTransactionsResponse,
  sizeOfEndTxnResponse,
  sizeOfInitProducerIdResponse,
  sizeOfListTransactionsResponse,
  Writer,
  writeAddOffsetsToTxnResponse,
  writeAddPartitionsToTxnResponse,
  writeDescribeTransactionsResponse,
  writeEndTxnResponse,
  writeInitProducerIdResponse,
  writeListTransactionsResponse,
} from '@sluice/protocol';
import type { CoordinatorRecord } from '../src/index.ts';
import {
  TransactionCoordinator,
  type TransactionCoordinatorOptions,
  type TxnAppend,
  type TxnMarkerRequest,
} from '../src/transactions/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: the generated writers take their own message types.
const WRITERS: Record<number, [(m: any, v: number) => number, (w: Writer, m: any, v: number) => void]> = {
  22: [sizeOfInitProducerIdResponse, writeInitProducerIdResponse],
  24: [sizeOfAddPartitionsToTxnResponse, writeAddPartitionsToTxnResponse],
  25: [sizeOfAddOffsetsToTxnResponse, writeAddOffsetsToTxnResponse],
  26: [sizeOfEndTxnResponse, writeEndTxnResponse],
  65: [sizeOfDescribeTransactionsResponse, writeDescribeTransactionsResponse],
  66: [sizeOfListTransactionsResponse, writeListTransactionsResponse],
};

export interface Box<T> {
  response: T | undefined;
  count: number;
}

type Options = Partial<TransactionCoordinatorOptions>;

export class TxnHarness {
  coordinator: TransactionCoordinator;
  now = 1_000;
  readonly log: CoordinatorRecord[] = [];
  readonly markers: TxnMarkerRequest[] = [];
  holdDurability = false;
  nextProducerId = 1000n;
  private held: number[] = [];
  private readonly options: Options;

  constructor(options: Options = {}) {
    this.options = options;
    this.coordinator = this.create();
    this.take(this.coordinator.completeLoad(this.now));
  }

  private create(): TransactionCoordinator {
    return new TransactionCoordinator({
      allocateProducerId: () => this.nextProducerId++,
      writeMarkers: (m) => this.markers.push(m),
      ...this.options,
    });
  }

  take(append: TxnAppend | null): void {
    if (append === null) return;
    this.log.push(...append.records);
    if (this.holdDurability) this.held.push(append.appendSeq);
    else this.coordinator.onRecordsDurable(append.appendSeq);
  }

  releaseDurability(): void {
    const last = this.held.pop();
    this.held = [];
    if (last !== undefined) this.coordinator.onRecordsDurable(last);
  }

  call<T = { errorCode: number }>(apiKey: number, apiVersion: number, request: unknown): Box<T> {
    const box: Box<T> = { response: undefined, count: 0 };
    const append = this.coordinator.handle(apiKey, apiVersion, request, this.now, (response) => {
      const [size, write] = WRITERS[apiKey];
      write(new Writer(size(response, apiVersion)), response, apiVersion);
      box.response = response as T;
      box.count++;
    });
    this.take(append);
    return box;
  }

  /** Writes every requested marker: completes the transactions. */
  writeAllMarkers(): TxnMarkerRequest[] {
    const done = this.markers.splice(0);
    for (const m of done) {
      this.take(this.coordinator.markersWritten(m.transactionalId, m.producerId, m.producerEpoch, this.now));
    }
    return done;
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const next = this.coordinator.nextDeadline();
      if (next === null || next > target) break;
      this.now = Math.max(this.now, next);
      this.take(this.coordinator.tick(this.now));
    }
    this.now = target;
    this.take(this.coordinator.tick(this.now));
  }

  rebuild(): TransactionCoordinator {
    const c = new TransactionCoordinator({ allocateProducerId: () => -2n, writeMarkers: () => {}, ...this.options });
    for (const r of this.log) c.loadRecord(r.key, r.value);
    c.completeLoad(this.now);
    return c;
  }
}

export function init(transactionalId: string, producerId = -1n, producerEpoch = -1, transactionTimeoutMs = 60_000) {
  return { transactionalId, transactionTimeoutMs, producerId, producerEpoch };
}

export function addPartitions(
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  topics: Record<string, number[]>,
) {
  return {
    transactions: [],
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions })),
  };
}

export function endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, committed: boolean) {
  return { transactionalId, producerId, producerEpoch, committed };
}

export function addOffsets(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string) {
  return { transactionalId, producerId, producerEpoch, groupId };
}
