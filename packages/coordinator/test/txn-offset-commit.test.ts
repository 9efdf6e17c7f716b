// TxnOffsetCommit: offsets committed in a transaction stay invisible (and unstable for requireStable) until the
// transaction's COMMIT marker lands on the partition, are dropped by an ABORT, come back the same way when the
// partition is replayed, and a producer epoch older than one already seen is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Append, GroupCoordinator } from '../src/index.ts';

const UNSTABLE_OFFSET_COMMIT = 88;
const INVALID_PRODUCER_EPOCH = 47;

type FetchResp = { errorCode: number; topics: { partitions: { committedOffset: bigint; errorCode: number }[] }[] };

function started(): { c: GroupCoordinator; appends: Append[] } {
  const c = new GroupCoordinator();
  const appends: Append[] = [];
  const first = c.completeLoad(0);
  if (first !== null) appends.push(first);
  return { c, appends };
}

function call<T>(c: GroupCoordinator, appends: Append[], apiKey: number, v: number, request: unknown): T {
  let out: T | undefined;
  const append = c.handle(apiKey, v, request, 1_000, (r) => {
    out = r as T;
  });
  if (append !== null) {
    appends.push(append);
    c.onRecordsDurable(append.appendSeq);
  }
  assert.ok(out !== undefined, 'answered');
  return out;
}

function txnCommit(c: GroupCoordinator, appends: Append[], producerId: bigint, producerEpoch: number, offset: bigint) {
  const r = call<{ topics: { partitions: { errorCode: number }[] }[] }>(c, appends, 28, 3, {
    transactionalId: 'copier',
    groupId: 'g',
    producerId,
    producerEpoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 'in',
        partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }],
      },
    ],
  });
  return r.topics[0].partitions[0].errorCode;
}

function fetched(c: GroupCoordinator, requireStable: boolean): { errorCode: number; offset: bigint } {
  const r = call<FetchResp>(c, [], 9, 7, {
    groupId: 'g',
    topics: [{ name: 'in', partitionIndexes: [0] }],
    groups: [],
    requireStable,
  });
  const p = r.topics[0].partitions[0];
  return { errorCode: r.errorCode || p.errorCode, offset: p.committedOffset };
}

test('transactional offsets are pending until the COMMIT marker, then visible', () => {
  const { c, appends } = started();
  assert.equal(txnCommit(c, appends, 7n, 0, 42n), 0);
  const written = appends.at(-1)!;
  assert.equal(written.producerId, 7n, 'written as the producer transactional batch');
  assert.equal(written.producerEpoch, 0);
  assert.equal(fetched(c, false).offset, -1n);
  assert.equal(fetched(c, true).errorCode, UNSTABLE_OFFSET_COMMIT);
  c.onTxnMarker(7n, 0, true);
  assert.deepEqual(fetched(c, true), { errorCode: 0, offset: 42n });
});

test('an ABORT marker drops the pending offsets; the committed ones stay', () => {
  const { c, appends } = started();
  txnCommit(c, appends, 7n, 0, 10n);
  c.onTxnMarker(7n, 0, true);
  txnCommit(c, appends, 7n, 0, 20n);
  c.onTxnMarker(7n, 0, false);
  assert.deepEqual(fetched(c, true), { errorCode: 0, offset: 10n });
});

test('replaying the partition applies committed transactions and drops aborted ones', () => {
  const { c, appends } = started();
  txnCommit(c, appends, 7n, 0, 10n);
  txnCommit(c, appends, 8n, 0, 99n); // producer 8 aborts below
  const rebuilt = new GroupCoordinator();
  for (const a of appends) {
    for (const r of a.records) {
      if (a.producerId === undefined) rebuilt.loadRecord(r.key, r.value);
      else rebuilt.loadTxnRecord(a.producerId, a.producerEpoch ?? 0, r.key, r.value);
    }
  }
  rebuilt.loadTxnMarker(7n, 0, true);
  rebuilt.loadTxnMarker(8n, 0, false);
  rebuilt.completeLoad(2_000);
  assert.deepEqual(fetched(rebuilt, true), { errorCode: 0, offset: 10n });
});

test('a producer epoch older than one already seen is INVALID_PRODUCER_EPOCH', () => {
  const { c, appends } = started();
  txnCommit(c, appends, 7n, 3, 10n);
  c.onTxnMarker(7n, 3, true);
  assert.equal(txnCommit(c, appends, 7n, 2, 11n), INVALID_PRODUCER_EPOCH);
  assert.deepEqual(fetched(c, true), { errorCode: 0, offset: 10n });
});
