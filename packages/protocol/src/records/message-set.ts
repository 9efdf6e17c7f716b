// Message sets, magic 0 and 1 (Kafka < 0.11; Produce v0-2, Fetch v0-3), and conversion to and from batches v2.
//
// Message set: { offset i64, messageSize i32, message }*. Message (big-endian):
//   crc u32 (CRC-32, IEEE, over magic..end) | magic i8 | attributes i8 (bits 0-2 codec 0-3; bit 3 timestampType,
//   magic 1 only) | [timestamp i64, magic 1 only] | keyLength i32 (-1 null) | key | valueLength i32 (-1 null) | value
// A compressed message (codec != 0) is a wrapper: its value is the compressed bytes of an inner message set of
// uncompressed messages. Inner offsets: magic 0 absolute; magic 1 relative (0..n-1), the wrapper carrying the
// absolute offset of the last inner message (KIP-31). Magic 1 wrapper with LogAppendTime: every inner message takes
// the wrapper's timestamp. Magic 0 has no timestamps (-1, Kafka's NO_TIMESTAMP).
// Down-conversion drops headers and control batches; zstd (codec 4) does not exist below magic 2 (KIP-110), so zstd
// batches are written uncompressed (Kafka answers such old fetchers UNSUPPORTED_COMPRESSION_TYPE instead; the
// fetch handler decides).
import { crc32 } from 'node:zlib';
import { DecodeError } from '../primitives/decode-error.ts';
import { compress, DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.ts';
import type { CompressionType } from './compression-type.ts';
import { lz4FrameCompress } from './lz4-frame.ts';
import {
  batchSizeAt,
  buildRecordBatch,
  MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
  readRecords,
} from './record-batch.ts';

/** offset i64 + messageSize i32. */
export const MESSAGE_LOG_OVERHEAD = 12;
/** crc + magic + attributes + keyLength + valueLength. */
export const MESSAGE_V0_MIN_SIZE = 14;
/** ... + timestamp. */
export const MESSAGE_V1_MIN_SIZE = 22;

export interface LegacyRecord {
  offset: number;
  magic: 0 | 1;
  /** -1 for magic 0. */
  timestamp: number;
  timestampType: 0 | 1;
  /** Codec of the wrapper this record came from (0 when it was not compressed). */
  compression: CompressionType;
  key: Buffer | null;
  value: Buffer | null;
}

export interface DecodeMessageSetOptions {
  /** Bound on the sum of all wrappers' decompressed bytes. */
  maxDecompressedBytes?: number;
  /** Fetch responses may end mid-message: ignore a trailing partial message instead of failing. */
  allowPartialTail?: boolean;
}

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

function readBytes(buf: Buffer, pos: number, end: number, what: string): [Buffer | null, number] {
  if (end - pos < 4) throw new DecodeError(`truncated ${what} length`, pos);
  const len = buf.readInt32BE(pos);
  pos += 4;
  if (len === -1) return [null, pos];
  if (len < 0 || len > end - pos) throw new DecodeError(`${what} length ${len} does not fit the message`, pos - 4);
  return [buf.subarray(pos, pos + len), pos + len];
}

/** Decodes a magic 0/1 message set, expanding compressed wrappers. Throws DecodeError on bad bytes or CRC. */
export function decodeMessageSet(input: Uint8Array, opts: DecodeMessageSetOptions = {}): LegacyRecord[] {
  const budget = { left: opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES };
  return decodeInto(asBuffer(input), opts.allowPartialTail ?? false, budget, false, []);
}

function decodeInto(
  buf: Buffer,
  allowPartialTail: boolean,
  budget: { left: number },
  inner: boolean,
  out: LegacyRecord[],
): LegacyRecord[] {
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < MESSAGE_LOG_OVERHEAD) {
      if (allowPartialTail) break;
      throw new DecodeError('truncated message header', pos);
    }
    const offset = buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
    const size = buf.readInt32BE(pos + 8);
    const start = pos + MESSAGE_LOG_OVERHEAD;
    if (size < MESSAGE_V0_MIN_SIZE) throw new DecodeError(`message size ${size}`, pos + 8);
    if (size > buf.length - start) {
      if (allowPartialTail) break;
      throw new DecodeError(`message size ${size} exceeds the ${buf.length - start} bytes left`, pos + 8);
    }
    const end = start + size;
    const stored = buf.readUInt32BE(start);
    if (crc32(buf.subarray(start + 4, end)) !== stored) throw new DecodeError('message CRC mismatch', start);
    const magic = buf[start + 4];
    if (magic > 1) throw new DecodeError(`magic ${magic} in a message set`, start + 4);
    if (magic === 1 && size < MESSAGE_V1_MIN_SIZE) throw new DecodeError(`message size ${size}`, pos + 8);
    const attributes = buf[start + 5];
    let p = start + 6;
    let timestamp = -1;
    const timestampType: 0 | 1 = magic === 1 && attributes & 0x08 ? 1 : 0;
    if (magic === 1) {
      timestamp = buf.readInt32BE(p) * 4294967296 + buf.readUInt32BE(p + 4);
      p += 8;
    }
    const [key, afterKey] = readBytes(buf, p, end, 'key');
    const [value, afterValue] = readBytes(buf, afterKey, end, 'value');
    if (afterValue !== end) throw new DecodeError(`${end - afterValue} bytes after the message value`, afterValue);
    const codec = attributes & 0x07;
    if (codec === 0) {
      out.push({ offset, magic: magic as 0 | 1, timestamp, timestampType, compression: 0, key, value });
    } else {
      if (inner) throw new DecodeError('compressed message inside a compressed message', start);
      if (codec > 3) throw new DecodeError(`codec ${codec} in a magic ${magic} message`, start + 5);
      if (value === null) throw new DecodeError('compressed message without a value', start);
      const raw = decompress(codec as CompressionType, value, budget.left);
      budget.left -= raw.length;
      const first = out.length;
      decodeInto(raw, false, budget, true, out);
      const lastInner = out.length > first ? out[out.length - 1].offset : 0;
      for (let i = first; i < out.length; i++) {
        const r = out[i];
        r.compression = codec as CompressionType;
        if (magic === 1) {
          r.offset = offset - lastInner + r.offset;
          if (timestampType === 1) {
            r.timestamp = timestamp;
            r.timestampType = 1;
          }
        }
      }
    }
    pos = end;
  }
  return out;
}

// ---- encoding ----

/** One message (with its offset/size prefix) of the given magic. */
export function encodeMessage(
  offset: number,
  magic: 0 | 1,
  attributes: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
): Buffer {
  const size = (magic === 1 ? MESSAGE_V1_MIN_SIZE : MESSAGE_V0_MIN_SIZE) + (key?.length ?? 0) + (value?.length ?? 0);
  const b = Buffer.allocUnsafe(MESSAGE_LOG_OVERHEAD + size);
  const hi = Math.floor(offset / 4294967296);
  b.writeInt32BE(hi, 0);
  b.writeUInt32BE(offset - hi * 4294967296, 4);
  b.writeInt32BE(size, 8);
  let p = 16;
  b[p++] = magic;
  b[p++] = attributes;
  if (magic === 1) {
    const th = Math.floor(timestamp / 4294967296);
    b.writeInt32BE(th, p);
    b.writeUInt32BE(timestamp - th * 4294967296, p + 4);
    p += 8;
  }
  for (const bytes of [key, value]) {
    if (bytes === null) {
      b.writeInt32BE(-1, p);
      p += 4;
    } else {
      b.writeInt32BE(bytes.length, p);
      b.set(bytes, p + 4);
      p += 4 + bytes.length;
    }
  }
  b.writeUInt32BE(crc32(b.subarray(16)), 12);
  return b;
}

export interface UpConvertOptions {
  maxDecompressedBytes?: number;
  /** Codec of the resulting batch; default: the codec of the first compressed wrapper, else none. */
  compression?: CompressionType;
  /** Keep the message set's offsets (baseOffset = first, deltas from it); default: deltas 0..n-1, baseOffset 0. */
  preserveOffsets?: boolean;
}

/**
 * Up-conversion for old producers (Produce v0-2): one v2 batch holding every record of the message set, or null
 * for an empty set. Keys, values and timestamps are kept; LogAppendTime carries over as the batch's timestamp type.
 */
export function messageSetToRecordBatch(input: Uint8Array, opts: UpConvertOptions = {}): Buffer | null {
  const records = decodeMessageSet(input, { maxDecompressedBytes: opts.maxDecompressedBytes });
  if (records.length === 0) return null;
  const compression = opts.compression ?? records.find((r) => r.compression !== 0)?.compression ?? 0;
  const base = opts.preserveOffsets ? records[0].offset : 0;
  const logAppendTime = records.some((r) => r.timestampType === 1);
  return buildRecordBatch({
    baseOffset: base,
    compression,
    timestampType: logAppendTime ? 1 : 0,
    records: records.map((r, i) => ({
      offsetDelta: opts.preserveOffsets ? r.offset - base : i,
      timestamp: r.timestamp,
      key: r.key,
      value: r.value,
    })),
  });
}

export interface DownConvertOptions {
  maxDecompressedBytes?: number;
  /** Drop records below this offset (the fetch offset inside the first batch). */
  minOffset?: number;
}

/**
 * Down-conversion for old fetchers (Fetch v0-3): the v2 batches in [0, input.length) as one magic 0/1 message set.
 * Control batches and headers are dropped; a compressed batch becomes one wrapper of the same codec (zstd: written
 * uncompressed). A trailing partial batch is ignored. Throws DecodeError on bad batches.
 */
export function recordBatchesToMessageSet(input: Uint8Array, magic: 0 | 1, opts: DownConvertOptions = {}): Buffer {
  const buf = asBuffer(input);
  const parts: Buffer[] = [];
  const minOffset = opts.minOffset ?? Number.NEGATIVE_INFINITY;
  let pos = 0;
  while (buf.length - pos >= RECORD_BATCH_OVERHEAD) {
    if (buf[pos + MAGIC_OFFSET] !== 2) throw new DecodeError('not a record batch v2', pos + MAGIC_OFFSET);
    const size = batchSizeAt(buf, pos);
    if (size < RECORD_BATCH_OVERHEAD) throw new DecodeError(`batch size ${size}`, pos + 8);
    if (size > buf.length - pos) break;
    const h = readBatchHeader(buf, pos);
    if (!h.isControl) {
      const records = readRecords(buf, pos, opts.maxDecompressedBytes).filter((r) => r.offset >= minOffset);
      const timestampType = magic === 1 ? h.timestampType : 0;
      const attr = timestampType === 1 ? 0x08 : 0;
      const ts = (t: number): number => (magic === 1 ? t : -1);
      const codec = h.compression === 4 ? 0 : h.compression;
      if (records.length > 0 && codec === 0) {
        for (const r of records) parts.push(encodeMessage(r.offset, magic, attr, ts(r.timestamp), r.key, r.value));
      } else if (records.length > 0) {
        const first = records[0].offset;
        const inner = Buffer.concat(
          records.map((r) =>
            encodeMessage(magic === 1 ? r.offset - first : r.offset, magic, attr, ts(r.timestamp), r.key, r.value),
          ),
        );
        const compressed = codec === 3 && magic === 0 ? lz4FrameCompress(inner, true) : compress(codec, inner);
        const last = records[records.length - 1];
        let wrapperTs = h.maxTimestamp;
        if (timestampType === 0) {
          wrapperTs = -1;
          for (const r of records) if (r.timestamp > wrapperTs) wrapperTs = r.timestamp;
        }
        parts.push(encodeMessage(last.offset, magic, attr | codec, ts(wrapperTs), null, compressed));
      }
    }
    pos += size;
  }
  return Buffer.concat(parts);
}

/** Magic of the first entry at pos (batch v2 or message set): byte 16 in both layouts. */
export function recordsMagic(buf: Uint8Array, pos = 0): number {
  return buf.length - pos > MAGIC_OFFSET ? buf[pos + MAGIC_OFFSET] : -1;
}
