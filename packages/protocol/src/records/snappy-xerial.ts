// Snappy as Kafka carries it. Java's client writes snappy-java's xerial framing:
//   header (16 bytes): 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 | version i32 BE (1) | compatible version i32 BE (1)
//   then chunks: { compressed length i32 BE, raw snappy block }*  (32 KiB of input per chunk, snappy-java's
//   default block size)
// librdkafka and others may send one plain raw snappy block instead; reading accepts both (a raw block never starts
// with 0x82 'SNAPPY': its first byte is a varint of the uncompressed length, and 0x82 0x53 would be 10,626 bytes
// followed by a literal tag, not 'NAPPY\0'). A raw block starts with the uncompressed length as a varint, which is
// checked against the remaining budget BEFORE the block is inflated, so a bomb never allocates.
// Raw block codec: npm `snappy` (loaded on first use).
import { createRequire } from 'node:module';
import { DecodeError } from '../primitives/decode-error.ts';
import { readUnsignedVarint } from '../primitives/varint.ts';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;

interface SnappyNative {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer, opts: { asBuffer: true }): Buffer;
}
let snappy: SnappyNative | undefined;
function snappyNative(): SnappyNative {
  snappy ??= createRequire(import.meta.url)('snappy') as SnappyNative;
  return snappy;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Compresses into xerial framing, as Kafka's Java producer does. */
export function snappyXerialCompress(data: Uint8Array): Buffer {
  const input = asBuffer(data);
  const native = snappyNative();
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let off = 0; off < input.length; off += XERIAL_BLOCK_SIZE) {
    const block = native.compressSync(input.subarray(off, Math.min(off + XERIAL_BLOCK_SIZE, input.length)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/** One raw snappy block: varint uncompressed length, then elements. */
export function snappyRawCompress(data: Uint8Array): Buffer {
  return snappyNative().compressSync(asBuffer(data));
}

function uncompressBlock(block: Buffer, budget: number, at: number): Buffer {
  const declared = readUnsignedVarint(block, 0);
  if (declared > budget) throw new DecodeError(`decompressed size exceeds the limit (${declared} > ${budget})`, at);
  try {
    return snappyNative().uncompressSync(block, { asBuffer: true });
  } catch (err) {
    throw new DecodeError(`bad snappy block: ${(err as Error).message}`, at);
  }
}

export function isXerial(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Decodes xerial-framed or raw snappy; throws DecodeError on bad input or output beyond maxBytes. */
export function snappyDecompress(data: Uint8Array, maxBytes: number): Buffer {
  const input = asBuffer(data);
  if (!isXerial(input)) return uncompressBlock(input, maxBytes, 0);
  const parts: Buffer[] = [];
  let total = 0;
  let i = XERIAL_HEADER_SIZE;
  while (i < input.length) {
    if (input.length - i < 4) throw new DecodeError('truncated xerial chunk length', i);
    const len = input.readInt32BE(i);
    i += 4;
    if (len < 0 || len > input.length - i) throw new DecodeError(`xerial chunk length ${len}`, i - 4);
    const chunk = uncompressBlock(input.subarray(i, i + len), maxBytes - total, i);
    parts.push(chunk);
    total += chunk.length;
    i += len;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
}
