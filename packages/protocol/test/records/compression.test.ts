import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import fc from 'fast-check';
import { compress, decompress, tryDecompress } from '../../src/records/compression.ts';
import type { CompressionType } from '../../src/records/compression-type.ts';
import { xxhash32 } from '../../src/records/xxhash32.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url));

/** The input the fixtures/*.lz4 frames were made from (see fixtures/README.md). */
function lz4Input(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 7000; i++) lines.push(`record ${String(i % 53).padStart(6, '0')} ${'xy'.repeat(i % 7)}\n`);
  return Buffer.from(lines.join(''));
}

test('every codec round-trips random and repetitive data', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<CompressionType>(0, 1, 2, 3, 4),
      fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc
          .tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.nat(10_000))
          .map(([p, n]) => new Uint8Array(Buffer.alloc(n, p))),
      ),
      (type, data) => {
        assert.deepEqual(new Uint8Array(decompress(type, compress(type, data))), data);
      },
    ),
    { numRuns: 200 },
  );
  const big = Buffer.concat([
    lz4Input(),
    Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 2654435761) >>> 24)),
  ]);
  for (const type of [1, 2, 3, 4] as CompressionType[]) assert.ok(decompress(type, compress(type, big)).equals(big));
});

test('lz4 frames written by the reference lz4 CLI decode (linked blocks, block and content checksums, 256 KiB)', () => {
  const expected = lz4Input();
  for (const name of ['cli-dependent-contentsize.lz4', 'cli-blockchecksum.lz4', 'cli-256k-framecrc.lz4']) {
    assert.ok(decompress(3, fixture(name)).equals(expected), name);
  }
});

test('lz4 frames are rejected when a block or content checksum does not match', () => {
  for (const name of ['cli-blockchecksum.lz4', 'cli-256k-framecrc.lz4']) {
    const frame = Buffer.from(fixture(name));
    frame[frame.length - 2] ^= 0x10; // inside the last checksum
    assert.equal(tryDecompress(3, frame).ok, false, name);
  }
});

test('lz4 frames are written as Kafka writes them: FLG 0x60, BD 0x40, valid header checksum', () => {
  const frame = compress(3, Buffer.from('hello'));
  assert.deepEqual([...frame.subarray(0, 6)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
  assert.equal(frame[6], (xxhash32(frame, 4, 6) >>> 8) & 0xff);
});

test('xxhash32 matches the published XXH32 values', () => {
  assert.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05);
  assert.equal(xxhash32(Buffer.from('abc')), 0x32d153ff);
  assert.equal(xxhash32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
});

// Hand-assembled snappy block (format_description.txt): uncompressed length 16, literal "abcd",
// copy with 1-byte offset (length 11, offset 4), copy with 2-byte offset (length 5, offset 4) -> "abcd" x 5.
const RAW_SNAPPY = Buffer.from([0x14, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x1d, 0x04, 0x12, 0x04, 0x00]);
const SNAPPY_TEXT = Buffer.from('abcd'.repeat(5));

test('snappy reads a plain raw block and xerial framing as Java writes it', () => {
  assert.ok(decompress(2, RAW_SNAPPY).equals(SNAPPY_TEXT));
  const len = Buffer.alloc(4);
  len.writeInt32BE(RAW_SNAPPY.length);
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const xerial = Buffer.concat([header, len, RAW_SNAPPY, len, RAW_SNAPPY]);
  assert.ok(decompress(2, xerial).equals(Buffer.concat([SNAPPY_TEXT, SNAPPY_TEXT])));
});

test('snappy writes xerial framing: magic, version 1, compatible 1, 32 KiB chunks', () => {
  const data = Buffer.alloc(70_000, 7);
  const out = compress(2, data);
  assert.deepEqual([...out.subarray(0, 16)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  let chunks = 0;
  for (let i = 16; i < out.length; i += 4 + out.readInt32BE(i)) chunks++;
  assert.equal(chunks, 3); // 32768 + 32768 + 4464
});

function rssGrowthDuring(fn: () => void): number {
  const before = process.memoryUsage().rss;
  fn();
  return process.memoryUsage().rss - before;
}

test('decompression bombs of every codec are refused as an error value with bounded memory', () => {
  // Each input would inflate to 1 GiB; the limit is 1 MiB.
  const gzipMember = gzipSync(Buffer.alloc(16 << 20));
  const zstdFrame = zstdCompressSync(Buffer.alloc(16 << 20));
  const lz4Header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0]);
  lz4Header[6] = (xxhash32(lz4Header, 4, 6) >>> 8) & 0xff;
  const lz4Block = compress(3, Buffer.alloc(4 << 20)); // 64 KiB blocks of zeros
  const lz4Blocks = lz4Block.subarray(7, lz4Block.length - 4);
  const snappyChunk = compress(2, Buffer.alloc(32 << 20)).subarray(16);
  const bombs: Array<[CompressionType, Buffer]> = [
    [1, Buffer.concat(Array(64).fill(gzipMember))],
    [4, Buffer.concat(Array(64).fill(zstdFrame))],
    [3, Buffer.concat([lz4Header, ...Array(256).fill(lz4Blocks), Buffer.alloc(4)])],
    [2, Buffer.concat([compress(2, Buffer.alloc(0)), ...Array(32).fill(snappyChunk)])],
    [2, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00])], // raw block declaring 1 GiB
  ];
  for (const [type, bomb] of bombs) {
    const growth = rssGrowthDuring(() => {
      const result = tryDecompress(type, bomb, 1 << 20);
      assert.equal(result.ok, false, `codec ${type}`);
      if (!result.ok) assert.match(result.error.message, /limit/);
    });
    assert.ok(growth < 256 << 20, `codec ${type} grew the process by ${growth} bytes`);
  }
});

test('garbage input is a DecodeError for every codec', () => {
  fc.assert(
    fc.property(fc.constantFrom<CompressionType>(1, 2, 3, 4), fc.uint8Array({ maxLength: 100 }), (type, junk) => {
      const r = tryDecompress(type, junk, 1 << 20);
      if (!r.ok) assert.equal(r.error.name, 'DecodeError');
    }),
    { numRuns: 200 },
  );
});
