import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32c, crc32cUpdate } from '../../src/records/crc32c.ts';

/** Bit-at-a-time reference from the definition (reflected polynomial 0x82F63B78). */
function referenceCrc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('crc32c matches the published CRC-32C check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('crc32c agrees with the bit-at-a-time definition for random data, lengths and ranges', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (data, a, b) => {
      assert.equal(crc32c(data), referenceCrc32c(data));
      const start = data.length === 0 ? 0 : a % data.length;
      const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
      assert.equal(crc32c(data, start, end), referenceCrc32c(data.subarray(start, end)));
    }),
    { numRuns: 300 },
  );
});

test('crc32c of a concatenation equals continuing over a random split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
      const joined = Buffer.concat([a, b]);
      assert.equal(crc32cUpdate(crc32c(a), b), crc32c(joined));
      assert.equal(crc32c(joined, a.length), crc32c(b));
    }),
    { numRuns: 300 },
  );
});
