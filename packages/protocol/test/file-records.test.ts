// Records kept out of the encoded body (src/primitives/file-records.ts, encodeResponseParts): for random responses
// of every message with a records field, in every version, the parts with their file ranges filled in from the file
// are byte for byte the frame encodeResponse writes when the same records are given as bytes; the size known before
// sending is the frame's length; parts alternate bytes and ranges. A plain encoder refuses a file range.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { type FieldSchema, type MessageSchema, messageSchemas } from '../src/generated/schemas.ts';
import { encodeResponse, encodeResponseParts } from '../src/header.ts';
import type { FramePart } from '../src/primitives/file-records.ts';
import { arbitraryMessage } from './support/arbitrary-message.ts';

// ~60 response versions with records fields (Fetch 0-17, FetchSnapshot, ShareFetch): 30 runs each is ~1 s.
const RUNS_PER_VERSION = 30;

interface Choice {
  inFile: boolean;
  length: number;
  gap: number;
  fill: number;
}

const choiceArb = fc.array(
  fc.record({
    inFile: fc.boolean(),
    // Up to 300 bytes: lengths past 126 take a 2-byte unsigned varint prefix in flexible versions.
    length: fc.oneof(fc.constant(0), fc.nat(300)),
    gap: fc.nat(16),
    fill: fc.nat(255),
  }),
  { maxLength: 40 },
);

function recordsFieldNames(schema: MessageSchema): Set<string> {
  const names = new Set<string>();
  const visit = (fields: readonly FieldSchema[]) => {
    for (const f of fields) if (f.type === 'records') names.add(f.name);
  };
  visit(schema.fields);
  for (const fields of Object.values(schema.structs)) visit(fields);
  return names;
}

const withRecords = messageSchemas.filter((s) => s.type === 'response' && recordsFieldNames(s).size > 0);

/**
 * Walks the message; each non-null records field takes the next choice: in-memory bytes, or bytes written to the
 * file at fd and named by `<field>InFile`, with a decoy in the field itself (the range must win). Returns the
 * message as bytes (expected) and as ranges (under test).
 */
function splitRecords(
  message: Record<string, unknown>,
  names: Set<string>,
  choices: Choice[],
  fd: number,
): { asBytes: unknown; asRanges: unknown } {
  let next = 0;
  let filePosition = 0;
  const walk = (value: unknown): [unknown, unknown] => {
    if (Array.isArray(value)) {
      const pairs = value.map(walk);
      return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    }
    if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return [value, value];
    const a: Record<string, unknown> = {};
    const b: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (names.has(key) && Buffer.isBuffer(v)) {
        const c = choices[next++] ?? { inFile: false, length: 0, gap: 0, fill: 0 };
        const bytes = Buffer.alloc(c.length, c.fill);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (c.fill + i * 7) & 0xff;
        a[key] = bytes;
        if (c.inFile) {
          const position = filePosition + c.gap;
          writeSync(fd, bytes, 0, bytes.length, position);
          filePosition = position + bytes.length;
          b[key] = Buffer.from('decoy');
          b[`${key}InFile`] = { fd, position, length: bytes.length };
        } else b[key] = bytes;
        continue;
      }
      [a[key], b[key]] = walk(v);
    }
    return [a, b];
  };
  const [asBytes, asRanges] = walk(message);
  return { asBytes, asRanges };
}

function concat(parts: FramePart[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (Buffer.isBuffer(p)) out.push(p);
    else {
      const b = Buffer.alloc(p.length);
      assert.equal(readSync(p.fd, b, 0, p.length, p.position), p.length);
      out.push(b);
    }
  }
  return Buffer.concat(out);
}

test('parts with their file ranges filled in equal the plain encoding, for every response with records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-records-'));
  try {
    let ranged = 0;
    for (const schema of withRecords) {
      const names = recordsFieldNames(schema);
      for (let version = schema.minVersion; version <= schema.maxVersion; version++) {
        fc.assert(
          fc.property(arbitraryMessage(schema, version), choiceArb, fc.integer(), (message, choices, cid) => {
            const fd = openSync(join(dir, `${schema.name}-${version}.log`), 'w+');
            try {
              const { asBytes, asRanges } = splitRecords(message, names, choices, fd);
              const expected = encodeResponse(schema.apiKey!, version, cid, asBytes);
              const got = encodeResponseParts(schema.apiKey!, version, cid, asRanges);
              if (Buffer.isBuffer(got)) {
                assert.deepEqual(got, expected);
                return;
              }
              ranged++;
              assert.equal(got.size, expected.length, 'size known before sending');
              assert.equal(got.size, expected.readInt32BE(0) + 4, 'the size prefix covers the ranges');
              got.parts.forEach((p, i) => {
                assert.equal(Buffer.isBuffer(p), i % 2 === 0, `part ${i} alternates bytes and ranges`);
                if (!Buffer.isBuffer(p)) assert.ok(p.length > 0, 'no empty range parts');
              });
              assert.equal(got.parts.length % 2, 1, 'starts and ends with bytes');
              assert.deepEqual(concat(got.parts), expected);
            } finally {
              closeSync(fd);
            }
          }),
          { numRuns: RUNS_PER_VERSION },
        );
      }
    }
    assert.ok(ranged > 20, `only ${ranged} cases had a file range`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a message without records in files encodes to the very bytes encodeResponse writes', () => {
  const body = {
    throttleTimeMs: 5,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic: 't', topicId: '', partitions: [] }],
    nodeEndpoints: [],
  };
  for (const v of [4, 11, 12, 16]) {
    const got = encodeResponseParts(1, v, 42, { ...body, responses: v >= 13 ? [] : body.responses });
    assert.ok(Buffer.isBuffer(got));
    assert.deepEqual(got, encodeResponse(1, v, 42, { ...body, responses: v >= 13 ? [] : body.responses }));
  }
});

test('the plain encoder refuses records in a file instead of sending something else', () => {
  const partition = {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 10n,
    lastStableOffset: 10n,
    logStartOffset: 0n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
    recordsInFile: { fd: 0, position: 0, length: 10 },
  };
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic: 't', topicId: '', partitions: [partition] }],
    nodeEndpoints: [],
  };
  assert.throws(() => encodeResponse(1, 11, 1, body), TypeError);
  const parts = encodeResponseParts(1, 11, 1, body);
  assert.ok(!Buffer.isBuffer(parts) && parts.parts.length === 3);
});
