// Hostile or broken input never throws out of a decoder and never allocates more than the input: truncations at
// every byte, lengths of -2 and 2^31-1, huge array counts and overlong varints all come back as error values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readFetchRequest } from '../src/generated/fetch-request.ts';
import { readMetadataRequest } from '../src/generated/metadata-request.ts';
import { readProduceRequest } from '../src/generated/produce-request.ts';
import { messageSchemas } from '../src/generated/schemas.ts';
import { tryDecode } from '../src/primitives/decode-error.ts';
import { Reader } from '../src/primitives/reader.ts';
import { Writer } from '../src/primitives/writer.ts';
import { arbitraryMessage } from './support/arbitrary-message.ts';
import { loadCodec } from './support/codecs.ts';

const PICKED = [
  'ProduceRequest',
  'FetchResponse',
  'MetadataResponse',
  'ApiVersionsRequest',
  'ConsumerGroupHeartbeatResponse',
  'OffsetCommitValue',
];

test('valid encodings truncated at every byte decode to an error value', async () => {
  for (const schema of messageSchemas.filter((s) => PICKED.includes(s.name))) {
    const codec = await loadCodec(schema);
    for (const version of [schema.minVersion, schema.maxVersion]) {
      const [message] = fc.sample(arbitraryMessage(schema, version), { numRuns: 1, seed: version });
      const w = new Writer(codec.sizeOf(message, version));
      codec.write(w, message, version);
      for (let cut = 0; cut < w.buf.length; cut++) {
        const out = tryDecode(() => codec.read(new Reader(w.buf, 0, cut), version));
        assert.equal(out.ok, false, `${schema.name} v${version} cut at ${cut} of ${w.buf.length} decoded`);
      }
    }
  }
});

test('negative lengths other than -1, and -1 where not nullable, are errors', () => {
  // MetadataRequest v1: topics = 1 element, name int16 length -2.
  const minus2 = Buffer.from([0, 0, 0, 1, 0xff, 0xfe]);
  assert.equal(tryDecode(() => readMetadataRequest(new Reader(minus2), 1)).ok, false);
  // v0 topics may not be null (-1).
  assert.equal(tryDecode(() => readMetadataRequest(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])), 0)).ok, false);
  assert.equal(tryDecode(() => readMetadataRequest(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])), 1)).ok, true);
});

test('a length of 2^31-1 or a count of 2^31-1 in a 100-byte input fails without allocating it', () => {
  const before = process.memoryUsage();
  const input = Buffer.alloc(100);
  // ProduceRequest v3: transactional id (int16 -1), acks, timeout, then topic count 0x7fffffff.
  input.writeInt16BE(-1, 0);
  input.writeInt32BE(0x7fffffff, 8);
  for (let i = 0; i < 1000; i++) {
    assert.equal(tryDecode(() => readProduceRequest(new Reader(input), 3)).ok, false);
  }
  // v9 (compact): topic count as uvarint 2^31 (0x80 0x80 0x80 0x80 0x08).
  const compact = Buffer.alloc(100);
  compact.set([0x00, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x08], 0);
  assert.equal(tryDecode(() => readProduceRequest(new Reader(compact), 9)).ok, false);
  // bytes length 2^31-1 for a record set: topic count 1, name "a", partition count 1, index, records length.
  const records = Buffer.alloc(100);
  records.writeInt16BE(-1, 0);
  records.writeInt32BE(1, 8);
  records.writeInt16BE(1, 12);
  records.write('a', 14);
  records.writeInt32BE(1, 15);
  records.writeInt32BE(0x7fffffff, 23);
  assert.equal(tryDecode(() => readProduceRequest(new Reader(records), 3)).ok, false);
  const after = process.memoryUsage();
  // 2^31 elements would need gigabytes; allow 16 MiB of noise.
  assert.ok(after.arrayBuffers - before.arrayBuffers < 16 * 2 ** 20, 'array buffers grew');
  assert.ok(after.heapUsed - before.heapUsed < 64 * 2 ** 20, 'heap grew');
});

test('an overlong varint (6 bytes) or one overflowing 32 bits is an error', () => {
  // FetchRequest v12 starts with... use a compact array count instead: MetadataRequest v9 topics.
  const overlong = Buffer.from([0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0]);
  assert.equal(tryDecode(() => readMetadataRequest(new Reader(overlong), 9)).ok, false);
  const overflow = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f, 0, 0, 0]);
  assert.equal(tryDecode(() => readMetadataRequest(new Reader(overflow), 9)).ok, false);
  // A tagged-field count of 2^28 with 4 bytes left.
  const tags = Buffer.from([0x01, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0]);
  assert.equal(tryDecode(() => readMetadataRequest(new Reader(tags), 9)).ok, false);
});

test('random bytes never throw out of any request decoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 17 }), (bytes, version) => {
      const buf = Buffer.from(bytes);
      tryDecode(() => readFetchRequest(new Reader(buf), version));
      tryDecode(() => readProduceRequest(new Reader(buf), Math.min(version, 11)));
      tryDecode(() => readMetadataRequest(new Reader(buf), Math.min(version, 12)));
    }),
    { numRuns: 2000, seed: 7 },
  );
});
