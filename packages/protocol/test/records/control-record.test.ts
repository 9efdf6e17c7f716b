import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildEndTxnMarkerBatch,
  CONTROL_TYPE_ABORT,
  CONTROL_TYPE_COMMIT,
  encodeControlRecordKey,
  encodeEndTxnMarkerValue,
  parseControlRecordKey,
  parseEndTxnMarkerValue,
  readEndTxnMarkerBatch,
} from '../../src/records/control-record.ts';
import { buildRecordBatch, readBatchHeader, validateRecordBatch } from '../../src/records/record-batch.ts';

test('control record key and marker value have Kafka byte layouts', () => {
  assert.deepEqual([...encodeControlRecordKey(CONTROL_TYPE_COMMIT)], [0, 0, 0, 1]);
  assert.deepEqual([...encodeEndTxnMarkerValue(0x01020304)], [0, 0, 1, 2, 3, 4]);
  assert.deepEqual(parseControlRecordKey(Buffer.from([0, 0, 0, 0])), { version: 0, type: CONTROL_TYPE_ABORT });
  assert.deepEqual(parseEndTxnMarkerValue(Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff])), {
    version: 0,
    coordinatorEpoch: -1,
  });
  assert.throws(() => parseControlRecordKey(Buffer.from([0, 0, 1])), { name: 'DecodeError' });
});

test('an ABORT/COMMIT marker batch is transactional+control, valid, and parses back', () => {
  for (const type of [CONTROL_TYPE_ABORT, CONTROL_TYPE_COMMIT]) {
    const batch = buildEndTxnMarkerBatch({
      producerId: 4242,
      producerEpoch: 3,
      type,
      coordinatorEpoch: 17,
      timestamp: 1_764_000_000_000,
      baseOffset: 99,
    });
    assert.equal(validateRecordBatch(batch), null);
    const h = readBatchHeader(batch);
    assert.equal(h.isControl && h.isTransactional, true);
    assert.equal(h.recordsCount, 1);
    assert.equal(h.baseSequence, -1);
    assert.deepEqual(readEndTxnMarkerBatch(batch), {
      version: 0,
      type,
      offset: 99,
      timestamp: 1_764_000_000_000,
      producerId: 4242,
      producerEpoch: 3,
      coordinatorEpoch: 17,
    });
  }
});

test('a data batch or a KRaft control type is not read as an end-transaction marker', () => {
  assert.throws(() => readEndTxnMarkerBatch(buildRecordBatch({ records: [{ value: null }] })), { name: 'DecodeError' });
  const leaderChange = buildRecordBatch({
    isControl: true,
    isTransactional: true,
    records: [{ key: encodeControlRecordKey(2), value: Buffer.alloc(8) }],
  });
  assert.throws(() => readEndTxnMarkerBatch(leaderChange), { name: 'DecodeError' });
});
