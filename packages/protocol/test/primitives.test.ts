// Reader, Writer, varints and UUIDs: the encodings Kafka defines, byte for byte, and the bounds the Reader enforces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../src/primitives/decode-error.ts';
import { Reader } from '../src/primitives/reader.ts';
import { randomUuid, uuidFromBytes, ZERO_UUID } from '../src/primitives/uuid.ts';
import { readUnsignedVarint, sizeOfUnsignedVarint, writeUnsignedVarint } from '../src/primitives/varint.ts';
import { sizeOfCompactString, sizeOfString, Writer } from '../src/primitives/writer.ts';

test('strings: int16 length or uvarint length+1, UTF-8, null as -1 / 0', () => {
  const w = new Writer(sizeOfString('é') + sizeOfString(null) + sizeOfCompactString('ab') + sizeOfCompactString(null));
  w.writeString('é');
  w.writeNullableString(null);
  w.writeCompactString('ab');
  w.writeCompactNullableString(null);
  assert.deepEqual(w.buf, Buffer.from([0, 2, 0xc3, 0xa9, 0xff, 0xff, 3, 0x61, 0x62, 0]));
  const r = new Reader(w.buf);
  assert.equal(r.readString(), 'é');
  assert.equal(r.readNullableString(), null);
  assert.equal(r.readCompactString(), 'ab');
  assert.equal(r.readCompactNullableString(), null);
  assert.equal(r.remaining(), 0);
});

test('null where not nullable is an error both ways', () => {
  assert.throws(() => new Reader(Buffer.from([0xff, 0xff])).readString(), DecodeError);
  assert.throws(() => new Reader(Buffer.from([0])).readCompactBytes(), DecodeError);
  assert.throws(() => new Writer(4).writeString(null), TypeError);
});

test('bytes are subarrays of the input, not copies', () => {
  const input = Buffer.from([0, 0, 0, 2, 7, 8]);
  const b = new Reader(input).readBytes();
  input[4] = 9;
  assert.deepEqual([...b], [9, 8]);
});

test('lengths and counts beyond the bytes left are errors, and the Reader honours its end', () => {
  assert.throws(() => new Reader(Buffer.from([0, 0, 0, 5, 1, 2])).readBytes(), DecodeError);
  assert.throws(() => new Reader(Buffer.from([0, 0, 0, 3, 1, 2])).readArrayLength(false), DecodeError);
  assert.equal(new Reader(Buffer.from([0, 0, 0, 2, 1, 2])).readArrayLength(false), 2);
  const r = new Reader(Buffer.from([1, 2, 3, 4]), 0, 2);
  assert.throws(() => r.readInt32(), DecodeError);
  assert.equal(r.readInt16(), 0x0102);
});

test('fixed-width numbers round-trip at their limits', () => {
  const w = new Writer(1 + 2 + 2 + 4 + 4 + 8 + 8 + 1);
  w.writeInt8(-128);
  w.writeInt16(32767);
  w.writeUint16(65535);
  w.writeInt32(-(2 ** 31));
  w.writeUint32(2 ** 32 - 1);
  w.writeInt64(-(2n ** 63n));
  w.writeFloat64(-0.5);
  w.writeBool(true);
  const r = new Reader(w.buf);
  assert.deepEqual(
    [
      r.readInt8(),
      r.readInt16(),
      r.readUint16(),
      r.readInt32(),
      r.readUint32(),
      r.readInt64(),
      r.readFloat64(),
      r.readBool(),
    ],
    [-128, 32767, 65535, -(2 ** 31), 2 ** 32 - 1, -(2n ** 63n), -0.5, true],
  );
  assert.throws(() => new Writer(1).writeInt16(1), RangeError);
});

test('unsigned varints round-trip over the whole u32 range and reject overlong input', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
      const buf = Buffer.alloc(5);
      const end = writeUnsignedVarint(buf, 0, v);
      assert.equal(end, sizeOfUnsignedVarint(v));
      assert.equal(readUnsignedVarint(buf, 0), v);
    }),
    { numRuns: 500 },
  );
  assert.throws(() => readUnsignedVarint(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0), DecodeError);
  assert.throws(() => readUnsignedVarint(Buffer.from([0x80]), 0), DecodeError);
});

test('UUIDs read as Kafka prints them; the zero UUID is AAAAAAAAAAAAAAAAAAAAAA', () => {
  assert.equal(uuidFromBytes(Buffer.alloc(16), 0), ZERO_UUID);
  const id = randomUuid();
  const w = new Writer(16);
  w.writeUuid(id);
  assert.equal(new Reader(w.buf).readUuid(), id);
  assert.throws(() => new Writer(16).writeUuid('not-a-uuid'), TypeError);
  // Kafka's Uuid.toString() of 0x0123456789abcdef_fedcba9876543210.
  const bytes = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  assert.equal(uuidFromBytes(bytes, 0), 'ASNFZ4mrze_-3LqYdlQyEA');
});
