// Transactional reads of a partition log against a model: interleaved transactional producers with commits, aborts
// (some with the epoch bumped, as a timeout abort does) and empty transactions, plain batches, flushes, rolls and
// restarts (clean and unclean). After every step: the lastStableOffset is min(highWatermark, first offset of the
// earliest open transaction, first offset of an ended one whose marker is not yet below the highWatermark); the
// .txnindex holds exactly the aborted transactions (producerId, firstOffset, marker offset, LSO after it);
// read_committed reads never return a batch at or past the LSO and list exactly the aborted transactions that
// overlap [fetchOffset, LSO).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildEndTxnMarkerBatch,
  CONTROL_TYPE_ABORT,
  CONTROL_TYPE_COMMIT,
} from '@sluice/protocol/records/control-record.ts';
import { buildRecordBatch, readBatchHeader } from '@sluice/protocol/records/record-batch.ts';
import { realFileOps } from '../src/file-ops.ts';
import { logConfig } from '../src/log-config.ts';
import { type AppendResult, PartitionLog } from '../src/partition-log.ts';
import { decodeAbortedTxns, encodeAbortedTxns } from '../src/transaction-index.ts';
import { prng, tempDir } from './helpers/log-fixtures.ts';

const NOW = 1_800_000_000_000;

function open(dir: string, cleanShutdown = true, config: object = {}) {
  return PartitionLog.open(`${dir}/t-0`, 't', 0, {
    config: logConfig({ segmentBytes: 4096, ...config }),
    ops: realFileOps,
    clock: () => NOW,
    cleanShutdown,
  });
}

function ok(r: AppendResult): { baseOffset: number; lastOffset: number } {
  assert.equal(r.errorCode, 'NONE', 'message' in r ? r.message : '');
  return r as { baseOffset: number; lastOffset: number };
}

function txnBatch(pid: number, epoch: number, seq: number, count: number, transactional = true): Buffer {
  return buildRecordBatch({
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    isTransactional: transactional,
    records: Array.from({ length: count }, (_, i) => ({
      timestamp: NOW,
      key: null,
      value: Buffer.from(`${pid}:${i}`),
    })),
  });
}

function marker(pid: number, epoch: number, commit: boolean, coordinatorEpoch = 0): Buffer {
  return buildEndTxnMarkerBatch({
    producerId: pid,
    producerEpoch: epoch,
    type: commit ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT,
    coordinatorEpoch,
    timestamp: NOW,
  });
}

/** Base and last offsets of the whole batches in `bytes`. */
function batchRanges(bytes: Buffer): { base: number; last: number }[] {
  const out: { base: number; last: number }[] = [];
  for (let pos = 0; pos + 61 <= bytes.length; ) {
    const h = readBatchHeader(bytes, pos);
    const size = 12 + h.batchLength;
    if (pos + size > bytes.length) break;
    out.push({ base: Number(h.baseOffset), last: Number(h.baseOffset) + h.lastOffsetDelta });
    pos += size;
  }
  return out;
}

interface Producer {
  pid: number;
  epoch: number;
  seq: number;
  /** First offset of the open transaction, -1 when none. */
  txnFirst: number;
}

interface Model {
  producers: Producer[];
  /** Ended transactions: first offset and marker offset. */
  ended: { firstOffset: number; lastOffset: number }[];
  aborted: { producerId: number; firstOffset: number; lastOffset: number; lastStableOffset: number }[];
}

function expectedLso(log: PartitionLog, m: Model): number {
  const hw = log.highWatermark;
  let lso = hw;
  for (const p of m.producers) if (p.txnFirst >= 0) lso = Math.min(lso, p.txnFirst);
  for (const e of m.ended) if (e.lastOffset >= hw) lso = Math.min(lso, e.firstOffset);
  return lso;
}

function check(log: PartitionLog, m: Model, rand: () => number): void {
  const lso = expectedLso(log, m);
  assert.equal(log.lastStableOffset, lso, 'lastStableOffset');
  assert.deepEqual(log.txnIndexes.all(), m.aborted, 'aborted transactions index');
  for (let i = 0; i < 3; i++) {
    const fetchOffset = log.logStartOffset + Math.floor(rand() * (log.logEndOffset - log.logStartOffset + 1));
    const r = log.read(fetchOffset, 1 << 20, { isolation: 'readCommitted' });
    assert.ok('path' in r, 'read');
    assert.equal(r.lastStableOffset, lso);
    for (const b of batchRanges(log.readBytes(r))) assert.ok(b.last < lso, `batch ${b.base}-${b.last} past LSO ${lso}`);
    const want = m.aborted
      .filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < lso)
      .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
      .sort((a, b) => a.firstOffset - b.firstOffset);
    assert.deepEqual(r.abortedTransactions, want, `aborted transactions for fetch at ${fetchOffset}`);
  }
}

function endTxn(log: PartitionLog, m: Model, p: Producer, commit: boolean, bump: boolean): void {
  const epoch = bump ? p.epoch + 1 : p.epoch;
  const at = ok(log.append(marker(p.pid, epoch, commit), { origin: 'coordinator' })).baseOffset;
  const firstOffset = p.txnFirst >= 0 ? p.txnFirst : at;
  p.txnFirst = -1;
  if (bump) {
    p.epoch = epoch;
    p.seq = 0;
  }
  m.ended.push({ firstOffset, lastOffset: at });
  if (!commit) {
    let lastStableOffset = at + 1;
    for (const o of m.producers) if (o.txnFirst >= 0) lastStableOffset = Math.min(lastStableOffset, o.txnFirst);
    m.aborted.push({ producerId: p.pid, firstOffset, lastOffset: at, lastStableOffset });
  }
}

test('interleaved transactions: LSO, aborted index and read_committed reads match the model across restarts', () => {
  for (let run = 0; run < 8; run++) {
    using dir = tempDir('txn-reads');
    const rand = prng(1000 + run);
    let log = open(dir.path);
    const m: Model = {
      producers: [10, 11, 12, 13].map((pid) => ({ pid, epoch: 0, seq: 0, txnFirst: -1 })),
      ended: [],
      aborted: [],
    };
    for (let step = 0; step < 100; step++) {
      const x = rand();
      const p = m.producers[Math.floor(rand() * m.producers.length)];
      if (x < 0.4) {
        const n = 1 + Math.floor(rand() * 3);
        const at = ok(log.append(txnBatch(p.pid, p.epoch, p.seq, n))).baseOffset;
        p.seq += n;
        if (p.txnFirst < 0) p.txnFirst = at;
      } else if (x < 0.55) endTxn(log, m, p, true, false);
      else if (x < 0.7) endTxn(log, m, p, false, rand() < 0.3);
      else if (x < 0.78) ok(log.append(txnBatch(-1, -1, -1, 2, false)));
      else if (x < 0.9) assert.equal(log.flush(), null);
      else if (x < 0.94) assert.equal(log.roll(), null);
      else {
        // Restart: a clean close snapshots everything; an unclean one replays from the last roll's snapshot.
        const clean = rand() < 0.5;
        if (clean) log.close();
        else {
          assert.equal(log.flush(), null);
          log.closeUnclean();
        }
        log = open(dir.path, clean);
        m.ended = m.ended.filter((e) => e.lastOffset >= log.highWatermark);
      }
      check(log, m, rand);
    }
    log.close();
  }
});

test('a transaction aborted with a bumped epoch fences the zombie; plain batches inside a transaction are refused', () => {
  using dir = tempDir('txn-fence');
  const log = open(dir.path, true, { ackBeforeFsync: true });
  ok(log.append(txnBatch(5, 0, 0, 2)));
  assert.equal(log.append(txnBatch(5, 0, 2, 1, false)).errorCode, 'INVALID_TXN_STATE');
  ok(log.append(marker(5, 1, false, 3), { origin: 'coordinator' }));
  assert.equal(log.append(txnBatch(5, 0, 2, 1)).errorCode, 'INVALID_PRODUCER_EPOCH');
  assert.equal(
    log.append(marker(5, 1, true, 2), { origin: 'coordinator' }).errorCode,
    'TRANSACTION_COORDINATOR_FENCED',
  );
  assert.equal(log.append(marker(5, 1, true), {}).errorCode, 'INVALID_RECORD', 'clients cannot write markers');
  ok(log.append(txnBatch(5, 1, 0, 1)));
  assert.equal(log.lastStableOffset, 3);
  log.close();
});

test('the .txnindex is Kafka format: 34-byte entries, version 0; a torn tail keeps the whole entries', () => {
  const entries = [
    { producerId: 7, firstOffset: 3, lastOffset: 9, lastStableOffset: 10 },
    { producerId: 2 ** 40, firstOffset: 11, lastOffset: 20, lastStableOffset: 15 },
  ];
  const bytes = encodeAbortedTxns(entries);
  assert.equal(bytes.length, 68);
  assert.equal(bytes.readInt16BE(0), 0);
  assert.equal(bytes.readBigInt64BE(2), 7n);
  assert.equal(bytes.readBigInt64BE(26), 10n);
  assert.deepEqual(decodeAbortedTxns(Buffer.concat([bytes, Buffer.alloc(20, 1)])), entries);
});
