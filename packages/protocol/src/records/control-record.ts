// Control records: the one record of a control batch (attributes bit 5, always with bit 4 transactional).
// key   = version i16 (0) | type i16   (0 ABORT, 1 COMMIT; 2-6 KRaft-internal, which we never write)
// value = version i16 (0) | coordinatorEpoch i32   (end-transaction markers, Kafka's EndTransactionMarker)
// Written by the broker's transaction coordinator (WriteTxnMarkers), never accepted from clients. A control record
// consumes an offset; consumers skip it, read_committed ones use ABORT markers to drop aborted data.
import { DecodeError } from '../primitives/decode-error.ts';
import { buildRecordBatch, readBatchHeader, readRecords } from './record-batch.ts';

export const CONTROL_TYPE_ABORT = 0;
export const CONTROL_TYPE_COMMIT = 1;
export type ControlType = number;

export interface ControlRecordKey {
  version: number;
  type: ControlType;
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function encodeControlRecordKey(type: ControlType, version = 0): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt16BE(version, 0);
  b.writeInt16BE(type, 2);
  return b;
}

/** Throws DecodeError when the key is shorter than 4 bytes. */
export function parseControlRecordKey(key: Uint8Array): ControlRecordKey {
  if (key.length < 4) throw new DecodeError(`control record key of ${key.length} bytes`, 0);
  return { version: ((key[0] << 24) | (key[1] << 16)) >> 16, type: ((key[2] << 24) | (key[3] << 16)) >> 16 };
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeInt16BE(version, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

/** Throws DecodeError when the value is shorter than 6 bytes (later versions may append fields: ignored). */
export function parseEndTxnMarkerValue(value: Uint8Array): EndTxnMarker {
  if (value.length < 6) throw new DecodeError(`end-transaction marker value of ${value.length} bytes`, 0);
  return {
    version: ((value[0] << 24) | (value[1] << 16)) >> 16,
    coordinatorEpoch: (value[2] << 24) | (value[3] << 16) | (value[4] << 8) | value[5],
  };
}

export interface EndTxnMarkerBatchOptions {
  producerId: number;
  producerEpoch: number;
  type: ControlType; // CONTROL_TYPE_ABORT or CONTROL_TYPE_COMMIT
  coordinatorEpoch: number;
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/** A control batch holding one ABORT/COMMIT marker (baseSequence -1, transactional, uncompressed). */
export function buildEndTxnMarkerBatch(opts: EndTxnMarkerBatchOptions): Buffer {
  return buildRecordBatch({
    baseOffset: opts.baseOffset ?? 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
    records: [
      {
        timestamp: opts.timestamp,
        key: encodeControlRecordKey(opts.type),
        value: encodeEndTxnMarkerValue(opts.coordinatorEpoch),
      },
    ],
  });
}

export interface EndTxnMarkerRecord extends ControlRecordKey {
  offset: number;
  timestamp: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

/** Parses the control batch at pos. Throws DecodeError if it is not a control batch with an ABORT/COMMIT record. */
export function readEndTxnMarkerBatch(batch: Uint8Array, pos = 0): EndTxnMarkerRecord {
  const h = readBatchHeader(batch, pos);
  if (!h.isControl) throw new DecodeError('not a control batch', pos + 21);
  const records = readRecords(batch, pos);
  if (records.length !== 1) throw new DecodeError(`control batch with ${records.length} records`, pos + 57);
  const r = records[0];
  if (r.key === null) throw new DecodeError('control record without a key', pos + 61);
  const key = parseControlRecordKey(r.key);
  if (key.type !== CONTROL_TYPE_ABORT && key.type !== CONTROL_TYPE_COMMIT) {
    throw new DecodeError(`control record type ${key.type} is not an end-transaction marker`, pos + 61);
  }
  if (r.value === null) throw new DecodeError('end-transaction marker without a value', pos + 61);
  const marker = parseEndTxnMarkerValue(r.value);
  return {
    version: key.version,
    type: key.type,
    offset: r.offset,
    timestamp: r.timestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    coordinatorEpoch: marker.coordinatorEpoch,
  };
}
