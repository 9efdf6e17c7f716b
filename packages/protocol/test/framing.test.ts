import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type FrameError, FrameSplitter } from '../src/framing.ts';

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

function collect(splitter: FrameSplitter, chunks: Buffer[]): Array<Buffer | FrameError> {
  const out: Array<Buffer | FrameError> = [];
  for (const c of chunks) for (const f of splitter.push(c)) out.push(Buffer.isBuffer(f) ? Buffer.from(f) : f);
  return out;
}

const bodies = [
  Buffer.from('first request'),
  Buffer.alloc(0),
  Buffer.alloc(300, 7),
  Buffer.from('x'),
  Buffer.from('last one'),
];
const stream = Buffer.concat(bodies.map(frame));

test('splitting a stream of frames at every byte boundary yields the same frames', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const frames = collect(new FrameSplitter({ maxFrameBytes: 1024 }), [stream.subarray(0, cut), stream.subarray(cut)]);
    assert.deepEqual(frames, bodies, `cut at ${cut}`);
  }
  for (let a = 0; a <= stream.length; a += 3) {
    for (let b = a; b <= stream.length; b += 5) {
      const chunks = [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)];
      assert.deepEqual(collect(new FrameSplitter({ maxFrameBytes: 1024 }), chunks), bodies);
    }
  }
  const oneByte = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
  assert.deepEqual(collect(new FrameSplitter({ maxFrameBytes: 1024 }), oneByte), bodies);
});

test('random frames split into random chunks come out whole and in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (bs, cuts) => {
        const s = Buffer.concat(bs.map(frame));
        const points = [...new Set(cuts.map((c) => (s.length === 0 ? 0 : c % s.length)))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, s.length]) {
          chunks.push(s.subarray(prev, p));
          prev = p;
        }
        const splitter = new FrameSplitter({ maxFrameBytes: 256 });
        assert.deepEqual(
          collect(splitter, chunks),
          bs.map((b) => Buffer.from(b)),
        );
        assert.equal(splitter.bufferedBytes, 0);
      },
    ),
    { numRuns: 200 },
  );
});

test('a frame inside one chunk is a view of that chunk, not a copy', () => {
  const chunk = frame(Buffer.from('hello'));
  const [f] = [...new FrameSplitter({ maxFrameBytes: 100 }).push(chunk)];
  assert.ok(Buffer.isBuffer(f));
  assert.equal(f.buffer, chunk.buffer);
  assert.equal(f.byteOffset, chunk.byteOffset + 4);
});

test('an oversize or negative size is refused as soon as its 4 bytes arrive, without buffering the body', () => {
  for (const size of [1025, -1, 2 ** 31 - 1]) {
    const header = Buffer.alloc(4);
    header.writeInt32BE(size, 0);
    const splitter = new FrameSplitter({ maxFrameBytes: 1024 });
    assert.deepEqual(collect(splitter, [header.subarray(0, 2)]), []);
    const out = collect(splitter, [Buffer.concat([header.subarray(2), Buffer.alloc(500)])]);
    assert.equal(out.length, 1);
    const err = out[0] as FrameError;
    assert.equal(err.code, size < 0 ? 'NEGATIVE_FRAME_SIZE' : 'FRAME_TOO_LARGE');
    assert.equal(err.size, size);
    assert.equal(splitter.bufferedBytes, 0);
    assert.deepEqual(collect(splitter, [frame(Buffer.from('ok'))]), [err], 'stays failed');
  }
});

test('frames before a bad size in the same chunk are still delivered', () => {
  const bad = Buffer.alloc(4);
  bad.writeInt32BE(-5, 0);
  const out = collect(new FrameSplitter({ maxFrameBytes: 64 }), [Buffer.concat([frame(Buffer.from('a')), bad])]);
  assert.deepEqual(out[0], Buffer.from('a'));
  assert.equal((out[1] as FrameError).code, 'NEGATIVE_FRAME_SIZE');
});

test('buffered memory grows with bytes received, not with the size the peer announces', () => {
  const splitter = new FrameSplitter({ maxFrameBytes: 100 << 20 });
  const header = Buffer.alloc(4);
  header.writeInt32BE(100 << 20, 0);
  collect(splitter, [header, Buffer.alloc(10)]);
  assert.equal(splitter.bufferedBytes, 10);
});

test('with reusedChunks, frames stay whole when every chunk is read into one buffer that is then overwritten', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 12 }),
      (bs, sizes) => {
        const s = Buffer.concat(bs.map(frame));
        const readBuffer = Buffer.alloc(4096);
        const splitter = new FrameSplitter({ maxFrameBytes: 4096, reusedChunks: true });
        const out: Buffer[] = [];
        let pos = 0;
        for (let k = 0; pos < s.length; k++) {
          const n = Math.min(sizes[k % sizes.length], s.length - pos);
          s.copy(readBuffer, 0, pos, pos + n);
          pos += n;
          for (const f of splitter.push(readBuffer.subarray(0, n))) {
            assert.ok(Buffer.isBuffer(f));
            out.push(Buffer.from(f));
            f.fill(0xee); // the consumer is done with it: nothing later may depend on these bytes
          }
          readBuffer.fill(0xaa); // the socket reads the next chunk into the same memory
        }
        assert.deepEqual(
          out,
          bs.map((b) => Buffer.from(b)),
        );
      },
    ),
    { numRuns: 300 },
  );
});
