// LZ4 frame format (lz4 Frame_format.md v1.6.x), the LZ4 payload of Kafka record batches (magic 2; magic 0/1 too).
//
// Frame: magic u32 LE 0x184D2204 | FLG u8 (bits 7-6 version = 01, 5 block independence, 4 block checksum,
// 3 content size, 2 content checksum, 0 dictId) | BD u8 (bits 6-4 block max size: 4=64 KiB 5=256 KiB 6=1 MiB
// 7=4 MiB) | [content size u64 LE] | [dictId u32 LE] | HC u8 = (xxh32(FLG..last descriptor byte) >> 8) & 0xFF |
// blocks: { size u32 LE (bit 31 set = stored uncompressed), data, [xxh32 of data u32 LE] }* | end mark u32 0 |
// [content checksum u32 LE = xxh32 of the content].
//
// We write what Kafka's KafkaLZ4BlockOutputStream writes: FLG 0x60 (v1, independent blocks, no checksums), BD 0x40
// (64 KiB blocks), a block stored raw when compressing does not shrink it. Raw LZ4 blocks come from lz4-napi
// (`compressSync` = u32 LE size prefix + block; we drop the prefix), loaded on first use.
// Reading accepts dependent blocks, block/content checksums, content size, concatenated frames and skippable
// frames, and the header checksum Kafka < 0.10 computed wrongly (over the magic too: KAFKA-3160), which magic 0
// messages may still carry. The block decoder is JavaScript and writes into one bounded output, so a bomb stops at
// maxBytes.
import { createRequire } from 'node:module';
import { DecodeError } from '../primitives/decode-error.ts';
import { xxhash32 } from './xxhash32.ts';

const MAGIC = 0x184d2204;
const BLOCK_SIZE = 64 * 1024;
const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

let lz4: { compressSync(data: Buffer): Buffer } | undefined;
function lz4Native(): { compressSync(data: Buffer): Buffer } {
  lz4 ??= createRequire(import.meta.url)('lz4-napi') as { compressSync(data: Buffer): Buffer };
  return lz4;
}

/**
 * Compresses data into one LZ4 frame laid out like Kafka's Java client writes it. brokenHeaderChecksum: the HC
 * Kafka wrote for magic 0 messages (xxh32 over the magic too, KAFKA-3160), which clients of that era verify.
 */
export function lz4FrameCompress(data: Uint8Array, brokenHeaderChecksum = false): Buffer {
  const input = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const parts: Buffer[] = [];
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0]);
  header[6] = (xxhash32(header, brokenHeaderChecksum ? 0 : 4, 6) >>> 8) & 0xff;
  parts.push(header);
  const native = lz4Native();
  for (let off = 0; off < input.length; off += BLOCK_SIZE) {
    const chunk = input.subarray(off, Math.min(off + BLOCK_SIZE, input.length));
    const block = native.compressSync(chunk).subarray(4);
    const size = Buffer.allocUnsafe(4);
    if (block.length < chunk.length) {
      size.writeUInt32LE(block.length, 0);
      parts.push(size, block);
    } else {
      size.writeUInt32LE((chunk.length | 0x80000000) >>> 0, 0);
      parts.push(size, chunk);
    }
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

/** Output that grows by doubling up to a hard limit; running past the limit throws DecodeError. */
class BoundedOutput {
  buf: Buffer;
  len = 0;
  readonly limit: number;
  constructor(initial: number, limit: number) {
    this.limit = limit;
    this.buf = Buffer.allocUnsafe(Math.max(0, Math.min(initial, limit)));
  }
  reserve(n: number, at: number): void {
    const need = this.len + n;
    if (need > this.limit) throw new DecodeError(`decompressed size exceeds the limit of ${this.limit} bytes`, at);
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/** Decodes one raw LZ4 block src[start, end) appending to out (matches may reach into earlier output). */
function decodeBlock(src: Uint8Array, start: number, end: number, out: BoundedOutput, historyStart: number): void {
  let i = start;
  for (;;) {
    if (i >= end) throw new DecodeError('truncated lz4 sequence', i);
    const token = src[i++];
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (i >= end) throw new DecodeError('truncated lz4 literal length', i);
        b = src[i++];
        litLen += b;
      } while (b === 255);
    }
    if (litLen > end - i) throw new DecodeError('lz4 literals run past the block', i);
    out.reserve(litLen, i);
    out.buf.set(src.subarray(i, i + litLen), out.len);
    out.len += litLen;
    i += litLen;
    if (i === end) return; // the last sequence has literals only
    if (end - i < 2) throw new DecodeError('truncated lz4 match offset', i);
    const offset = src[i] | (src[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > out.len - historyStart) throw new DecodeError(`lz4 match offset ${offset}`, i - 2);
    let matchLen = (token & 0x0f) + 4;
    if (matchLen === 19) {
      let b: number;
      do {
        if (i >= end) throw new DecodeError('truncated lz4 match length', i);
        b = src[i++];
        matchLen += b;
      } while (b === 255);
    }
    out.reserve(matchLen, i);
    const o = out.buf;
    let d = out.len;
    let s = d - offset;
    if (offset >= matchLen) {
      o.copyWithin(d, s, s + matchLen);
    } else {
      // Overlapping match (run-length style): copy forward byte by byte.
      for (let k = 0; k < matchLen; k++) o[d++] = o[s++];
    }
    out.len += matchLen;
  }
}

function le32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** Decodes one or more concatenated LZ4 frames; throws DecodeError on bad input or output beyond maxBytes. */
export function lz4FrameDecompress(src: Uint8Array, maxBytes: number): Buffer {
  const out = new BoundedOutput(Math.max(64 * 1024, src.length * 4), maxBytes);
  let i = 0;
  while (i < src.length) {
    if (src.length - i < 4) throw new DecodeError('truncated lz4 frame magic', i);
    const magic = le32(src, i);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // Skippable frame: magic, u32 size, bytes.
      if (src.length - i < 8) throw new DecodeError('truncated lz4 skippable frame', i);
      const size = le32(src, i + 4);
      if (size > src.length - i - 8) throw new DecodeError('truncated lz4 skippable frame', i);
      i += 8 + size;
      continue;
    }
    if (magic !== MAGIC) throw new DecodeError(`not an lz4 frame (magic 0x${magic.toString(16)})`, i);
    const frameStart = i;
    i += 4;
    if (src.length - i < 3) throw new DecodeError('truncated lz4 frame descriptor', i);
    const flg = src[i];
    const bd = src[i + 1];
    if (flg >>> 6 !== 1) throw new DecodeError(`lz4 frame version ${flg >>> 6}`, i);
    if (flg & 0x02 || bd & 0x8f) throw new DecodeError('lz4 frame descriptor reserved bits set', i);
    if (flg & 0x01) throw new DecodeError('lz4 frames with a dictionary are not supported', i);
    const blockMax = BLOCK_MAX_SIZES[(bd >>> 4) & 7];
    if (blockMax === 0) throw new DecodeError(`lz4 block max size id ${(bd >>> 4) & 7}`, i + 1);
    const blockChecksum = (flg & 0x10) !== 0;
    const hasContentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const descEnd = i + 2 + (hasContentSize ? 8 : 0);
    if (src.length < descEnd + 1) throw new DecodeError('truncated lz4 frame descriptor', i);
    const hc = src[descEnd];
    if (
      hc !== ((xxhash32(src, i, descEnd) >>> 8) & 0xff) &&
      hc !== ((xxhash32(src, frameStart, descEnd) >>> 8) & 0xff)
    ) {
      throw new DecodeError('lz4 frame header checksum mismatch', descEnd);
    }
    i = descEnd + 1;
    const contentStart = out.len;
    // Independent blocks still decode correctly with history allowed; dependent ones need it (64 KiB window).
    for (;;) {
      if (src.length - i < 4) throw new DecodeError('truncated lz4 block size', i);
      const word = le32(src, i);
      i += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (size > blockMax || size > src.length - i) throw new DecodeError(`lz4 block size ${size}`, i - 4);
      if (blockChecksum) {
        if (src.length - i - size < 4) throw new DecodeError('truncated lz4 block checksum', i + size);
        if (xxhash32(src, i, i + size) !== le32(src, i + size)) {
          throw new DecodeError('lz4 block checksum mismatch', i + size);
        }
      }
      const before = out.len;
      if (word & 0x80000000) {
        out.reserve(size, i);
        out.buf.set(src.subarray(i, i + size), out.len);
        out.len += size;
      } else {
        decodeBlock(src, i, i + size, out, contentStart);
      }
      if (out.len - before > blockMax) throw new DecodeError('lz4 block larger than its frame allows', i);
      i += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) {
      if (src.length - i < 4) throw new DecodeError('truncated lz4 content checksum', i);
      if (xxhash32(out.buf, contentStart, out.len) !== le32(src, i)) {
        throw new DecodeError('lz4 content checksum mismatch', i);
      }
      i += 4;
    }
  }
  return out.buf.subarray(0, out.len);
}
