// compress / decompress record payloads with Kafka's codecs (attributes bits 0-2): 0 none, 1 gzip (node:zlib),
// 2 snappy (xerial framing written, xerial or raw read: snappy-xerial.ts), 3 lz4 (LZ4 frame: lz4-frame.ts),
// 4 zstd (node:zlib, Node >= 22.15 / 24). Synchronous: payloads are at most a batch (max.message.bytes, 1 MiB by
// default). Decompression is bounded: output past maxBytes stops the codec and raises DecodeError (tryDecompress
// returns it as a value), so a 1 MiB bomb cannot inflate into gigabytes.
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { type Decoded, DecodeError, tryDecode } from '../primitives/decode-error.ts';
import type { CompressionType } from './compression-type.ts';
import { lz4FrameCompress, lz4FrameDecompress } from './lz4-frame.ts';
import { snappyDecompress, snappyXerialCompress } from './snappy-xerial.ts';

/**
 * Default bound on one batch's decompressed records: 128 MiB. Kafka sets none; a 1 MiB batch of repetitive records
 * may legitimately inflate ~100x, and 128 MiB keeps a hostile one from exhausting a 2 GiB heap.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

export function compress(type: CompressionType, data: Uint8Array): Buffer {
  switch (type) {
    case 0:
      return Buffer.from(data);
    case 1:
      return gzipSync(data);
    case 2:
      return snappyXerialCompress(data);
    case 3:
      return lz4FrameCompress(data);
    case 4:
      return zstdCompressSync(data);
    default:
      throw new RangeError(`unknown compression type ${type as number}`);
  }
}

function zlibBounded(fn: typeof gunzipSync, data: Uint8Array, maxBytes: number, name: string): Buffer {
  try {
    return fn(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DecodeError(`decompressed size exceeds the limit of ${maxBytes} bytes`, 0);
    }
    throw new DecodeError(`bad ${name} data: ${(err as Error).message}`, 0);
  }
}

/** Decompresses; throws DecodeError on bad input, an unknown codec, or output beyond maxBytes. */
export function decompress(
  type: CompressionType,
  data: Uint8Array,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Buffer {
  switch (type) {
    case 0:
      if (data.length > maxBytes) throw new DecodeError(`size exceeds the limit of ${maxBytes} bytes`, 0);
      return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    case 1:
      return zlibBounded(gunzipSync, data, maxBytes, 'gzip');
    case 2:
      return snappyDecompress(data, maxBytes);
    case 3:
      return lz4FrameDecompress(data, maxBytes);
    case 4:
      return zlibBounded(zstdDecompressSync as typeof gunzipSync, data, maxBytes, 'zstd');
    default:
      throw new DecodeError(`unknown compression type ${type as number}`, 0);
  }
}

/** decompress with the error as a value: { ok: true, value } or { ok: false, error: DecodeError }. */
export function tryDecompress(
  type: CompressionType,
  data: Uint8Array,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Decoded<Buffer> {
  return tryDecode(() => decompress(type, data, maxBytes));
}
