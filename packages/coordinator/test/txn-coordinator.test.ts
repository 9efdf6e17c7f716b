// The transaction coordinator against Kafka's protocol: commit and abort flows with their marker requests, zombie
// fencing by a re-init, timeout aborts with the epoch bump, CONCURRENT_TRANSACTIONS while an end completes, error
// codes by version (KIP-588), KIP-360 retries and epoch exhaustion, durability gating, expiry, List/Describe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InitProducerIdResponse } from '@sluice/protocol';
import { partitionFor } from '../src/index.ts';
import { TxnErrorCode as E, TransactionCoordinator, TxnState } from '../src/transactions/index.ts';
import { addOffsets, addPartitions, endTxn, init, TxnHarness } from './txn-harness.ts';

function initOk(h: TxnHarness, id: string, v = 4, pid = -1n, epoch = -1) {
  const r = h.call<InitProducerIdResponse>(22, v, init(id, pid, epoch)).response;
  assert.equal(r?.errorCode, E.NONE);
  return { producerId: r.producerId, epoch: r.producerEpoch };
}

test('a committed transaction asks for COMMIT markers on every partition, then completes', () => {
  const h = new TxnHarness();
  const p = initOk(h, 'tx');
  assert.deepEqual(p, { producerId: 1000n, epoch: 0 });
  type Add = { resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] };
  const add = h.call<Add>(24, 3, addPartitions('tx', p.producerId, p.epoch, { orders: [1, 0] })).response;
  assert.deepEqual(
    add?.resultsByTopicV3AndBelow[0].resultsByPartition.map((r) => r.partitionErrorCode),
    [E.NONE, E.NONE],
  );
  assert.equal(h.call(25, 3, addOffsets('tx', p.producerId, p.epoch, 'g1')).response?.errorCode, E.NONE);
  assert.equal(h.call(26, 3, endTxn('tx', p.producerId, p.epoch, true)).response?.errorCode, E.NONE);
  assert.deepEqual(h.markers, [
    {
      transactionalId: 'tx',
      producerId: 1000n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      committed: true,
      partitions: [
        { topic: '__consumer_offsets', partitions: [partitionFor('g1', 50)] },
        { topic: 'orders', partitions: [0, 1] },
      ],
    },
  ]);
  assert.equal(h.coordinator.transactions()[0].state, TxnState.PrepareCommit);
  h.writeAllMarkers();
  const t = h.coordinator.transactions()[0];
  assert.equal(t.state, TxnState.CompleteCommit);
  assert.deepEqual(t.partitions, []);
  // A retried EndTxn(commit) after completion succeeds; abort is the wrong state.
  assert.equal(h.call(26, 3, endTxn('tx', p.producerId, p.epoch, true)).response?.errorCode, E.NONE);
  assert.equal(h.call(26, 3, endTxn('tx', p.producerId, p.epoch, false)).response?.errorCode, E.INVALID_TXN_STATE);
  // The next transaction on the same epoch starts afresh.
  h.call(24, 3, addPartitions('tx', p.producerId, p.epoch, { orders: [2] }));
  assert.deepEqual(h.coordinator.transactions()[0].partitions, ['orders\u00002']);
});

test('an aborted transaction asks for ABORT markers; an empty one cannot end', () => {
  const h = new TxnHarness();
  const p = initOk(h, 'tx');
  assert.equal(h.call(26, 1, endTxn('tx', p.producerId, p.epoch, false)).response?.errorCode, E.INVALID_TXN_STATE);
  const add = h.call<{ resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] }>(
    24,
    1,
    addPartitions('tx', p.producerId, p.epoch, { t: [0] }),
  );
  assert.equal(add.response?.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, E.NONE);
  assert.equal(h.call(26, 1, endTxn('tx', p.producerId, p.epoch, false)).response?.errorCode, E.NONE);
  assert.equal(h.markers[0].committed, false);
  h.writeAllMarkers();
  assert.equal(h.coordinator.transactions()[0].state, TxnState.CompleteAbort);
});

test('a re-init fences the zombie: its open transaction aborts with a bumped epoch and its requests fail by version', () => {
  const h = new TxnHarness();
  const zombie = initOk(h, 'tx');
  h.call(24, 3, addPartitions('tx', zombie.producerId, zombie.epoch, { t: [0, 1] }));
  // The new instance: CONCURRENT_TRANSACTIONS while the old transaction aborts under epoch 1.
  assert.equal(h.call(22, 4, init('tx')).response?.errorCode, E.CONCURRENT_TRANSACTIONS);
  assert.equal(h.markers.length, 1);
  assert.equal(h.markers[0].committed, false);
  assert.equal(h.markers[0].producerEpoch, 1);
  assert.equal(h.call(22, 4, init('tx')).response?.errorCode, E.CONCURRENT_TRANSACTIONS);
  h.writeAllMarkers();
  const fresh = initOk(h, 'tx');
  assert.deepEqual(fresh, { producerId: zombie.producerId, epoch: 2 });
  // The zombie, by version: PRODUCER_FENCED (90) from AddPartitions v2 / AddOffsets v2 / EndTxn v2, else 47.
  const z = (v: number) => h.call(24, v, addPartitions('tx', zombie.producerId, zombie.epoch, { t: [0] }));
  const code = (b: ReturnType<typeof z>) =>
    (b.response as unknown as { resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] })
      .resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode;
  assert.equal(code(z(1)), E.INVALID_PRODUCER_EPOCH);
  assert.equal(code(z(2)), E.PRODUCER_FENCED);
  assert.equal(h.call(25, 1, addOffsets('tx', zombie.producerId, 0, 'g')).response?.errorCode, 47);
  assert.equal(h.call(25, 2, addOffsets('tx', zombie.producerId, 0, 'g')).response?.errorCode, 90);
  assert.equal(h.call(26, 1, endTxn('tx', zombie.producerId, 0, true)).response?.errorCode, 47);
  assert.equal(h.call(26, 2, endTxn('tx', zombie.producerId, 0, true)).response?.errorCode, 90);
  assert.equal(h.call(26, 2, endTxn('tx', 999n, 2, true)).response?.errorCode, E.INVALID_PRODUCER_ID_MAPPING);
  // KIP-360 re-init with a stale epoch: fenced, 90 from InitProducerId v4, 47 at v3.
  assert.equal(h.call(22, 3, init('tx', zombie.producerId, 7)).response?.errorCode, 47);
  assert.equal(h.call(22, 4, init('tx', zombie.producerId, 7)).response?.errorCode, 90);
  assert.equal(h.call(22, 4, init('tx', 4242n, 7)).response?.errorCode, 90);
});

test('a transaction past transaction.timeout.ms aborts on tick with the epoch bumped; the late EndTxn is fenced', () => {
  const h = new TxnHarness();
  const r = h.call<InitProducerIdResponse>(22, 4, init('slow', -1n, -1, 5_000)).response;
  const p = { producerId: r?.producerId ?? -1n, epoch: r?.producerEpoch ?? -1 };
  h.call(24, 3, addPartitions('slow', p.producerId, p.epoch, { t: [3] }));
  h.advance(4_000);
  assert.equal(h.markers.length, 0, 'not before the timeout');
  h.advance(12_000);
  assert.equal(h.markers.length, 1);
  assert.deepEqual(
    { committed: h.markers[0].committed, epoch: h.markers[0].producerEpoch },
    { committed: false, epoch: p.epoch + 1 },
  );
  h.writeAllMarkers();
  assert.equal(h.call(26, 3, endTxn('slow', p.producerId, p.epoch, true)).response?.errorCode, E.PRODUCER_FENCED);
});

test('while an end completes: CONCURRENT_TRANSACTIONS for adds, re-inits and retries; the other outcome is invalid', () => {
  const h = new TxnHarness();
  const p = initOk(h, 'tx');
  h.call(24, 3, addPartitions('tx', p.producerId, p.epoch, { t: [0] }));
  h.call(26, 3, endTxn('tx', p.producerId, p.epoch, true));
  const add = h.call<{ resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] }>(
    24,
    3,
    addPartitions('tx', p.producerId, p.epoch, { t: [1] }),
  );
  assert.equal(add.response?.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, 51);
  assert.equal(h.call(25, 3, addOffsets('tx', p.producerId, p.epoch, 'g')).response?.errorCode, 51);
  assert.equal(h.call(22, 4, init('tx')).response?.errorCode, 51);
  assert.equal(h.call(26, 3, endTxn('tx', p.producerId, p.epoch, true)).response?.errorCode, 51);
  assert.equal(h.call(26, 3, endTxn('tx', p.producerId, p.epoch, false)).response?.errorCode, E.INVALID_TXN_STATE);
  h.writeAllMarkers();
  assert.deepEqual(initOk(h, 'tx'), { producerId: p.producerId, epoch: 1 });
});

test('responses and marker requests wait until the records are durable', () => {
  const h = new TxnHarness();
  const p = initOk(h, 'tx');
  h.call(24, 3, addPartitions('tx', p.producerId, p.epoch, { t: [0] }));
  h.holdDurability = true;
  const end = h.call(26, 3, endTxn('tx', p.producerId, p.epoch, true));
  assert.equal(end.count, 0);
  assert.equal(h.markers.length, 0, 'no marker may be written before the Prepare record is durable');
  h.releaseDurability();
  assert.equal(end.count, 1);
  assert.equal(h.markers.length, 1);
});

test('a coordinator that loses its partition answers the waiting requests NOT_COORDINATOR', () => {
  const h = new TxnHarness();
  h.holdDurability = true;
  const box = h.call(22, 4, init('tx'));
  h.coordinator.unload();
  assert.equal(box.response?.errorCode, E.NOT_COORDINATOR);
  assert.equal(h.call(22, 4, init('tx')).response?.errorCode, E.NOT_COORDINATOR);
});

test('KIP-360: a retried bump gets the same answer; an exhausted epoch rolls to a new producer id', () => {
  const h = new TxnHarness();
  const first = initOk(h, 'tx', 4);
  const second = initOk(h, 'tx', 4, first.producerId, first.epoch);
  assert.deepEqual(second, { producerId: first.producerId, epoch: 1 });
  // The answer was lost; the client retries with what it held.
  assert.deepEqual(initOk(h, 'tx', 4, first.producerId, first.epoch), second);
  // Drive the epoch to exhaustion (32766 = Short.MAX_VALUE - 1) one bump at a time.
  let cur = second;
  for (let i = 0; i < 32_765; i++) cur = initOk(h, 'tx', 4, cur.producerId, cur.epoch);
  assert.equal(cur.epoch, 32_766);
  const rolled = initOk(h, 'tx', 4, cur.producerId, cur.epoch);
  assert.equal(rolled.epoch, 0);
  assert.notEqual(rolled.producerId, cur.producerId);
  // The retry with the old id and exhausted epoch is recognized.
  assert.deepEqual(initOk(h, 'tx', 4, cur.producerId, cur.epoch), rolled);
});

test('InitProducerId refuses bad input and answers COORDINATOR_LOAD_IN_PROGRESS while loading', () => {
  const h = new TxnHarness();
  assert.equal(h.call(22, 1, init('tx', -1n, -1, 0)).response?.errorCode, E.INVALID_TRANSACTION_TIMEOUT);
  assert.equal(h.call(22, 1, init('tx', -1n, -1, 900_001)).response?.errorCode, E.INVALID_TRANSACTION_TIMEOUT);
  assert.equal(h.call(22, 1, init('')).response?.errorCode, E.INVALID_REQUEST);
  const fresh = new TransactionCoordinator({ allocateProducerId: () => 1n, writeMarkers: () => {} });
  let code = -2;
  fresh.handle(22, 1, init('tx'), 0, (r) => {
    code = (r as { errorCode: number }).errorCode;
  });
  assert.equal(code, E.COORDINATOR_LOAD_IN_PROGRESS);
});

test('AddPartitionsToTxn: unknown partitions fail alone; the v4+ batch form adds and verifies', () => {
  const h = new TxnHarness({ partitionExists: (topic) => topic !== 'gone' });
  const p = initOk(h, 'tx');
  const r = h.call<{
    resultsByTopicV3AndBelow: { name: string; resultsByPartition: { partitionErrorCode: number }[] }[];
  }>(24, 3, addPartitions('tx', p.producerId, p.epoch, { ok: [0], gone: [0] })).response;
  assert.deepEqual(
    r?.resultsByTopicV3AndBelow.map((t) => [t.name, t.resultsByPartition[0].partitionErrorCode]),
    [
      ['ok', E.OPERATION_NOT_ATTEMPTED],
      ['gone', E.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  const batch = (verifyOnly: boolean, epoch = p.epoch) => ({
    transactions: [
      {
        transactionalId: 'tx',
        producerId: p.producerId,
        producerEpoch: epoch,
        verifyOnly,
        topics: [{ name: 'ok', partitions: [0] }],
      },
    ],
    v3AndBelowTransactionalId: '',
    v3AndBelowProducerId: 0n,
    v3AndBelowProducerEpoch: 0,
    v3AndBelowTopics: [],
  });
  type Batch = {
    errorCode: number;
    resultsByTransaction: { topicResults: { resultsByPartition: { partitionErrorCode: number }[] }[] }[];
  };
  const codeOf = (b: Batch | undefined) =>
    b?.resultsByTransaction[0].topicResults[0].resultsByPartition[0].partitionErrorCode;
  assert.equal(codeOf(h.call<Batch>(24, 4, batch(true)).response), E.INVALID_TXN_STATE);
  assert.equal(codeOf(h.call<Batch>(24, 4, batch(false)).response), E.NONE);
  assert.equal(codeOf(h.call<Batch>(24, 5, batch(true)).response), E.NONE);
  assert.equal(codeOf(h.call<Batch>(24, 5, batch(true, 9)).response), E.PRODUCER_FENCED);
});

test('an idle transactional id expires after transactional.id.expiration.ms; an open one does not', () => {
  const h = new TxnHarness({
    config: { transactionalIdExpirationMs: 100_000, removeExpiredTransactionalIdsIntervalMs: 10_000 },
  });
  initOk(h, 'idle');
  const open = initOk(h, 'open');
  h.call(24, 3, addPartitions('open', open.producerId, open.epoch, { t: [0] }));
  h.call(22, 4, init('open', -1n, -1, 900_000));
  h.writeAllMarkers();
  const reopened = initOk(h, 'open');
  h.call(24, 3, addPartitions('open', reopened.producerId, reopened.epoch, { t: [0] }));
  h.advance(50_000);
  assert.equal(h.coordinator.transactions().length, 2);
  h.advance(60_000);
  assert.deepEqual(
    h.coordinator.transactions().map((t) => t.transactionalId),
    ['open'],
  );
  assert.equal(h.log[h.log.length - 1].value, null, 'a tombstone is written');
  const d = h.call<{ transactionStates: { errorCode: number }[] }>(65, 0, { transactionalIds: ['idle', 'open'] });
  assert.deepEqual(
    d.response?.transactionStates.map((s) => s.errorCode),
    [E.TRANSACTIONAL_ID_NOT_FOUND, E.NONE],
  );
});

test('ListTransactions filters by state, producer id and duration; DescribeTransactions shows the partitions', () => {
  const h = new TxnHarness();
  const a = initOk(h, 'a');
  initOk(h, 'b');
  h.call(24, 3, addPartitions('a', a.producerId, a.epoch, { x: [1], w: [0] }));
  h.now += 5_000;
  type List = {
    unknownStateFilters: string[];
    transactionStates: { transactionalId: string; transactionState: string }[];
  };
  const list = (stateFilters: string[], producerIdFilters: bigint[] = [], durationFilter = -1n) =>
    h.call<List>(66, 1, { stateFilters, producerIdFilters, durationFilter }).response;
  assert.deepEqual(
    list([])?.transactionStates.map((t) => `${t.transactionalId}:${t.transactionState}`),
    ['a:Ongoing', 'b:Empty'],
  );
  assert.deepEqual(
    list(['Ongoing'])?.transactionStates.map((t) => t.transactionalId),
    ['a'],
  );
  assert.deepEqual(list(['Bogus'])?.unknownStateFilters, ['Bogus']);
  assert.deepEqual(list(['Bogus'])?.transactionStates, []);
  assert.deepEqual(
    list([], [a.producerId + 1n])?.transactionStates.map((t) => t.transactionalId),
    ['b'],
  );
  assert.deepEqual(
    list([], [], 5_000n)?.transactionStates.map((t) => t.transactionalId),
    ['a'],
  );
  assert.deepEqual(list([], [], 5_001n)?.transactionStates, []);
  const d = h.call<{ transactionStates: { transactionState: string; topics: unknown[]; producerEpoch: number }[] }>(
    65,
    0,
    { transactionalIds: ['a'] },
  ).response?.transactionStates[0];
  assert.equal(d?.transactionState, 'Ongoing');
  assert.deepEqual(d?.topics, [
    { topic: 'w', partitions: [0] },
    { topic: 'x', partitions: [1] },
  ]);
});
