// Record batch v2 (magic 2): header views, validation, in-place patching, builder, record iteration.
//
// Layout, big-endian, offsets from the batch start (61-byte header, RECORD_BATCH_OVERHEAD):
//    0 baseOffset i64          8 batchLength i32 (bytes after this field)   12 partitionLeaderEpoch i32
//   16 magic i8 = 2           17 crc u32: CRC-32C of bytes 21..end            21 attributes i16
//   23 lastOffsetDelta i32    27 baseTimestamp i64   35 maxTimestamp i64      43 producerId i64
//   51 producerEpoch i16      53 baseSequence i32    57 recordsCount i32      61 records (one blob if compressed)
// attributes: bits 0-2 codec, bit 3 timestampType (1 = LogAppendTime), bit 4 transactional, bit 5 control,
// bit 6 hasDeleteHorizonMs (then baseTimestamp holds the delete horizon; record deltas stay relative to it).
// Record: length varint, attributes i8, timestampDelta varlong, offsetDelta varint, keyLength varint (-1 null), key,
// valueLength varint (-1 null), value, headersCount varint, { keyLength varint, key utf8, valueLength varint, value }.
//
// int64 fields are JS numbers: read as hi * 2^32 + lo from two 32-bit reads. That is exact below 2^53 and a single,
// correctly rounded addition above (the same double Number(readBigInt64BE) would give), so no slow path is needed.
// Header functions allocate nothing beyond their return value and read the bytes directly, so they work on any
// Uint8Array (a Buffer, a SharedArrayBuffer view, an mmap'd segment).
import { DecodeError } from '../primitives/decode-error.ts';
import {
  readVarint,
  readVarlongNumber,
  sizeOfVarint,
  sizeOfVarlongNumber,
  varintEnd,
  writeVarint,
  writeVarlongNumber,
} from '../primitives/varint.ts';
import { compress, DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.ts';
import type { CompressionType } from './compression-type.ts';
import { crc32c } from './crc32c.ts';

export type { CompressionType } from './compression-type.ts';
export {
  COMPRESSION_GZIP,
  COMPRESSION_LZ4,
  COMPRESSION_NONE,
  COMPRESSION_SNAPPY,
  COMPRESSION_ZSTD,
} from './compression-type.ts';

export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset i64 + batchLength i32: the bytes before batchLength starts counting. */
export const LOG_OVERHEAD = 12;
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
/** Smallest legal batchLength: the header after the length field (61 - 12). */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export interface RecordBatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  compression: CompressionType;
  timestampType: 0 | 1;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizonMs: boolean;
}

export type BatchError = { code: 'CORRUPT_MESSAGE' | 'INVALID_RECORD' | 'UNSUPPORTED_MAGIC'; message: string };

export interface Header {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Header[];
}

export interface BuildRecord {
  offsetDelta?: number;
  timestamp?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Header[];
}

export interface BuildBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  timestampType?: 0 | 1;
  baseTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  deleteHorizonMs?: number;
  lastOffsetDelta?: number;
  records: BuildRecord[];
}

// ---- big-endian primitives on plain Uint8Array (no DataView allocation per call) ----

function readInt16(buf: Uint8Array, pos: number): number {
  return ((buf[pos] << 24) | (buf[pos + 1] << 16)) >> 16;
}

function readInt32(buf: Uint8Array, pos: number): number {
  return (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
}

function readUint32(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos) >>> 0;
}

function readInt64(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos) * 4294967296 + readUint32(buf, pos + 4);
}

function writeInt16(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v >>> 8;
  buf[pos + 1] = v;
}

function writeInt32(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v >>> 24;
  buf[pos + 1] = v >>> 16;
  buf[pos + 2] = v >>> 8;
  buf[pos + 3] = v;
}

function writeInt64(buf: Uint8Array, pos: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  writeInt32(buf, pos, hi);
  writeInt32(buf, pos + 4, v - hi * 4294967296);
}

// ---- header ----

/** Reads the 61-byte header at pos; the caller has ensured the bytes exist (validateRecordBatch or batchSizeAt). */
export function readBatchHeader(buf: Uint8Array, pos = 0): RecordBatchHeader {
  const attributes = readInt16(buf, pos + ATTRIBUTES_OFFSET);
  return {
    baseOffset: readInt64(buf, pos + BASE_OFFSET_OFFSET),
    batchLength: readInt32(buf, pos + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: readInt32(buf, pos + PARTITION_LEADER_EPOCH_OFFSET),
    magic: (buf[pos + MAGIC_OFFSET] << 24) >> 24,
    crc: readUint32(buf, pos + CRC_OFFSET),
    attributes,
    lastOffsetDelta: readInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, pos + PRODUCER_ID_OFFSET),
    producerEpoch: readInt16(buf, pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: readInt32(buf, pos + BASE_SEQUENCE_OFFSET),
    recordsCount: readInt32(buf, pos + RECORDS_COUNT_OFFSET),
    compression: (attributes & ATTR_COMPRESSION_MASK) as CompressionType,
    timestampType: attributes & ATTR_TIMESTAMP_TYPE ? 1 : 0,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    hasDeleteHorizonMs: (attributes & ATTR_DELETE_HORIZON) !== 0,
  };
}

/** Total bytes of the batch at pos (LOG_OVERHEAD + batchLength); needs 12 bytes at pos. */
export function batchSizeAt(buf: Uint8Array, pos: number): number {
  return LOG_OVERHEAD + readInt32(buf, pos + BATCH_LENGTH_OFFSET);
}

/** baseOffset + lastOffsetDelta: the offset the next batch starts after. */
export function lastOffsetOf(buf: Uint8Array, pos: number): number {
  return readInt64(buf, pos + BASE_OFFSET_OFFSET) + readInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET);
}

/** The magic byte at pos (same position in magic 0/1 message sets, so read it before anything else). */
export function magicAt(buf: Uint8Array, pos: number): number {
  return (buf[pos + MAGIC_OFFSET] << 24) >> 24;
}

/**
 * Checks the batch at [pos, end): at least the magic byte, magic 2, batchLength >= 49 and within end, the CRC-32C.
 * null when valid. baseOffset and partitionLeaderEpoch are outside the CRC by design (the broker patches them), so
 * damage there is not detectable here.
 */
export function validateRecordBatch(buf: Uint8Array, pos = 0, end: number = buf.length): BatchError | null {
  const available = end - pos;
  if (available < MAGIC_OFFSET + 1) {
    return { code: 'CORRUPT_MESSAGE', message: `${available} bytes are too few for a batch header` };
  }
  const magic = magicAt(buf, pos);
  if (magic !== 2) return { code: 'UNSUPPORTED_MAGIC', message: `magic ${magic} is not a record batch v2` };
  if (available < RECORD_BATCH_OVERHEAD) {
    return { code: 'CORRUPT_MESSAGE', message: `batch header truncated at ${available} of 61 bytes` };
  }
  const batchLength = readInt32(buf, pos + BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH) {
    return { code: 'CORRUPT_MESSAGE', message: `batchLength ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}` };
  }
  if (batchLength > available - LOG_OVERHEAD) {
    return {
      code: 'CORRUPT_MESSAGE',
      message: `batchLength ${batchLength} exceeds the ${available - LOG_OVERHEAD} bytes available`,
    };
  }
  const stored = readUint32(buf, pos + CRC_OFFSET);
  const computed = crc32c(buf, pos + ATTRIBUTES_OFFSET, pos + LOG_OVERHEAD + batchLength);
  if (stored !== computed) {
    return { code: 'CORRUPT_MESSAGE', message: `CRC mismatch: stored ${stored}, computed ${computed}` };
  }
  if (readInt32(buf, pos + RECORDS_COUNT_OFFSET) < 0) {
    return { code: 'INVALID_RECORD', message: 'negative recordsCount' };
  }
  return null;
}

// ---- in-place patching ----

/** Overwrites baseOffset; outside the CRC, so the CRC stays valid. */
export function setBaseOffset(buf: Uint8Array, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BASE_OFFSET_OFFSET, baseOffset);
}

/** Overwrites partitionLeaderEpoch; outside the CRC, so the CRC stays valid. */
export function setPartitionLeaderEpoch(buf: Uint8Array, pos: number, epoch: number): void {
  writeInt32(buf, pos + PARTITION_LEADER_EPOCH_OFFSET, epoch);
}

/**
 * LogAppendTime topics: sets attributes bit 3 and maxTimestamp = timestampMs, then recomputes the CRC (both fields
 * are inside it). Records' own timestamps are untouched; readers report maxTimestamp for every record.
 */
export function setLogAppendTime(buf: Uint8Array, pos: number, timestampMs: number): void {
  const attributes = readInt16(buf, pos + ATTRIBUTES_OFFSET) | ATTR_TIMESTAMP_TYPE;
  writeInt16(buf, pos + ATTRIBUTES_OFFSET, attributes);
  writeInt64(buf, pos + MAX_TIMESTAMP_OFFSET, timestampMs);
  const end = pos + LOG_OVERHEAD + readInt32(buf, pos + BATCH_LENGTH_OFFSET);
  writeInt32(buf, pos + CRC_OFFSET, crc32c(buf, pos + ATTRIBUTES_OFFSET, end));
}

/** Recomputes and stores the CRC after any change inside bytes 21..end. */
export function updateCrc(buf: Uint8Array, pos: number): void {
  const end = pos + LOG_OVERHEAD + readInt32(buf, pos + BATCH_LENGTH_OFFSET);
  writeInt32(buf, pos + CRC_OFFSET, crc32c(buf, pos + ATTRIBUTES_OFFSET, end));
}

// ---- builder ----

function sizeOfBytes(b: Buffer | null | undefined): number {
  return b == null ? 1 : sizeOfVarint(b.length) + b.length;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null | undefined): number {
  if (b == null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/** Encodes the records section (uncompressed) into a fresh buffer. */
function encodeRecords(records: BuildRecord[], baseTimestamp: number, defaultTimestamp: number): Buffer {
  // Two passes: sizes first so the buffer is allocated once.
  const bodySizes = new Array<number>(records.length);
  const keyLens: number[] = [];
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    let size = 1; // attributes
    size += sizeOfVarlongNumber((r.timestamp ?? defaultTimestamp) - baseTimestamp);
    size += sizeOfVarint(r.offsetDelta ?? i);
    size += sizeOfBytes(r.key) + sizeOfBytes(r.value);
    const headers = r.headers ?? [];
    size += sizeOfVarint(headers.length);
    for (const h of headers) {
      const kl = Buffer.byteLength(h.key, 'utf8');
      keyLens.push(kl);
      size += sizeOfVarint(kl) + kl + sizeOfBytes(h.value);
    }
    bodySizes[i] = size;
    total += sizeOfVarint(size) + size;
  }
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  let k = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    p = writeVarint(out, p, bodySizes[i]);
    out[p++] = 0;
    p = writeVarlongNumber(out, p, (r.timestamp ?? defaultTimestamp) - baseTimestamp);
    p = writeVarint(out, p, r.offsetDelta ?? i);
    p = writeBytes(out, p, r.key);
    p = writeBytes(out, p, r.value);
    const headers = r.headers ?? [];
    p = writeVarint(out, p, headers.length);
    for (const h of headers) {
      const kl = keyLens[k++];
      p = writeVarint(out, p, kl);
      p += out.write(h.key, p, kl, 'utf8');
      p = writeBytes(out, p, h.value);
    }
  }
  return out;
}

/** Builds a complete batch with a valid CRC. Defaults: baseOffset 0, epochs/producer fields -1, CreateTime. */
export function buildRecordBatch(opts: BuildBatchOptions): Buffer {
  const records = opts.records;
  const compression = opts.compression ?? 0;
  const timestampType = opts.timestampType ?? 0;
  let firstTs = -1;
  let maxTs = -1;
  let maxDelta = -1;
  for (let i = 0; i < records.length; i++) {
    const ts = records[i].timestamp ?? opts.baseTimestamp ?? -1;
    if (i === 0) firstTs = ts;
    if (i === 0 || ts > maxTs) maxTs = ts;
    const d = records[i].offsetDelta ?? i;
    if (d > maxDelta) maxDelta = d;
  }
  const defaultTimestamp = opts.baseTimestamp ?? firstTs;
  const baseTimestamp = opts.deleteHorizonMs ?? opts.baseTimestamp ?? firstTs;
  let body = encodeRecords(records, baseTimestamp, defaultTimestamp);
  if (compression !== 0) body = compress(compression, body);

  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
  let attributes = compression;
  if (timestampType === 1) attributes |= ATTR_TIMESTAMP_TYPE;
  if (opts.isTransactional) attributes |= ATTR_TRANSACTIONAL;
  if (opts.isControl) attributes |= ATTR_CONTROL;
  if (opts.deleteHorizonMs !== undefined) attributes |= ATTR_DELETE_HORIZON;
  writeInt64(out, BASE_OFFSET_OFFSET, opts.baseOffset ?? 0);
  writeInt32(out, BATCH_LENGTH_OFFSET, out.length - LOG_OVERHEAD);
  writeInt32(out, PARTITION_LEADER_EPOCH_OFFSET, opts.partitionLeaderEpoch ?? -1);
  out[MAGIC_OFFSET] = 2;
  writeInt16(out, ATTRIBUTES_OFFSET, attributes);
  writeInt32(out, LAST_OFFSET_DELTA_OFFSET, opts.lastOffsetDelta ?? Math.max(maxDelta, 0));
  writeInt64(out, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(out, MAX_TIMESTAMP_OFFSET, maxTs);
  writeInt64(out, PRODUCER_ID_OFFSET, opts.producerId ?? -1);
  writeInt16(out, PRODUCER_EPOCH_OFFSET, opts.producerEpoch ?? -1);
  writeInt32(out, BASE_SEQUENCE_OFFSET, opts.baseSequence ?? -1);
  writeInt32(out, RECORDS_COUNT_OFFSET, records.length);
  out.set(body, RECORD_BATCH_OVERHEAD);
  writeInt32(out, CRC_OFFSET, crc32c(out, ATTRIBUTES_OFFSET, out.length));
  return out;
}

// ---- record iteration ----

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** key/value: length varint (-1 null) then bytes; a view into buf. Position after it is left in `cursor`. */
let cursor = 0;
function readNullableBytes(buf: Buffer, pos: number, end: number): Buffer | null {
  const len = readVarint(buf, pos, end);
  pos = varintEnd;
  if (len < 0) {
    if (len !== -1) throw new DecodeError(`negative length ${len}`, pos);
    cursor = pos;
    return null;
  }
  if (len > end - pos) throw new DecodeError(`length ${len} runs past the record`, pos);
  cursor = pos + len;
  return buf.subarray(pos, pos + len);
}

/**
 * Decodes every record of the batch at pos (decompressing when needed; keys and values of uncompressed batches are
 * views into `batch`). Throws DecodeError on bad bytes or when the decompressed records exceed
 * maxDecompressedBytes. Does not check the CRC: call validateRecordBatch first on untrusted bytes.
 */
export function readRecords(
  batch: Uint8Array,
  pos = 0,
  maxDecompressedBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Record[] {
  const whole = asBuffer(batch);
  if (whole.length - pos < RECORD_BATCH_OVERHEAD) throw new DecodeError('truncated batch header', whole.length);
  const h = readBatchHeader(whole, pos);
  if (h.magic !== 2) throw new DecodeError(`magic ${h.magic} is not a record batch v2`, pos + MAGIC_OFFSET);
  const batchEnd = pos + LOG_OVERHEAD + h.batchLength;
  if (h.batchLength < MIN_BATCH_LENGTH || batchEnd > whole.length) {
    throw new DecodeError(`batchLength ${h.batchLength} does not fit`, pos + BATCH_LENGTH_OFFSET);
  }
  if (h.recordsCount < 0) throw new DecodeError('negative recordsCount', pos + RECORDS_COUNT_OFFSET);
  let buf = whole;
  let p = pos + RECORD_BATCH_OVERHEAD;
  let end = batchEnd;
  if (h.compression !== 0) {
    buf = decompress(h.compression, whole.subarray(p, end), maxDecompressedBytes);
    p = 0;
    end = buf.length;
  }
  const logAppendTime = h.timestampType === 1;
  const out: Record[] = [];
  for (let i = 0; i < h.recordsCount; i++) {
    const length = readVarint(buf, p, end);
    p = varintEnd;
    if (length < 0 || length > end - p) throw new DecodeError(`record length ${length} does not fit`, p);
    const recordEnd = p + length;
    if (length < 1) throw new DecodeError('empty record', p);
    p++; // attributes: unused
    const timestampDelta = readVarlongNumber(buf, p, recordEnd);
    p = varintEnd;
    const offsetDelta = readVarint(buf, p, recordEnd);
    p = varintEnd;
    const key = readNullableBytes(buf, p, recordEnd);
    const value = readNullableBytes(buf, cursor, recordEnd);
    p = cursor;
    const headersCount = readVarint(buf, p, recordEnd);
    p = varintEnd;
    if (headersCount < 0) throw new DecodeError(`negative headers count ${headersCount}`, p);
    const headers: Header[] = [];
    for (let j = 0; j < headersCount; j++) {
      const kl = readVarint(buf, p, recordEnd);
      p = varintEnd;
      if (kl < 0 || kl > recordEnd - p) throw new DecodeError(`header key length ${kl} is invalid`, p);
      const hk = buf.toString('utf8', p, p + kl);
      const hv = readNullableBytes(buf, p + kl, recordEnd);
      p = cursor;
      headers.push({ key: hk, value: hv });
    }
    if (p !== recordEnd) throw new DecodeError(`record declares ${length} bytes but uses ${p - recordEnd + length}`, p);
    out.push({
      offset: h.baseOffset + offsetDelta,
      timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  if (p !== end) throw new DecodeError(`${end - p} bytes after the last of ${h.recordsCount} records`, p);
  return out;
}
