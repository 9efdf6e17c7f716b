// sendRanges delivers exactly header + parts, in order, over a real 127.0.0.1 TCP connection whose reader is slow
// enough to fill the socket buffer (EAGAIN on the zero-copy path), and so does its buffered twin.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addon, nativeForcedOff, type SendPart, sendRanges, sendRangesBuffered } from '../src/index.ts';

const FILE_SIZE = 64 * 1024 * 1024;
let dir = '';
let fd = -1;
let file: Buffer;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-native-'));
  file = Buffer.allocUnsafe(FILE_SIZE);
  let x = 0x9e3779b9;
  for (let i = 0; i < FILE_SIZE; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    file.writeInt32LE(x | 0, i);
  }
  const path = join(dir, 'segment.log');
  const w = openSync(path, 'w');
  writeSync(w, file);
  closeSync(w);
  fd = openSync(path, 'r');
});

after(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** A connected pair on 127.0.0.1: `sender` is the accepted side, `reader` hashes what arrives, slowly at first. */
async function pair(
  expectedBytes: number,
): Promise<{ sender: Socket; received: Promise<{ bytes: number; sha: string }> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const reader = connect(port, '127.0.0.1');
  const sender = await accepted;
  server.close();
  const received = new Promise<{ bytes: number; sha: string }>((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    reader.pause();
    // Slow reader: nothing for 50 ms, then 2 ms pauses per chunk for the first 8 MiB, then full speed.
    setTimeout(() => reader.resume(), 50);
    reader.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes < 8 * 1024 * 1024) {
        reader.pause();
        setTimeout(() => reader.resume(), 2);
      }
      if (bytes >= expectedBytes) {
        reader.destroy();
        resolve({ bytes, sha: hash.digest('hex') });
      }
    });
    reader.on('error', reject);
  });
  return { sender, received };
}

function sha(parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

const header = Buffer.from('response header: correlationId, throttle, topics...');
const between = Buffer.alloc(3000, 0xab);
const ranges: SendPart[] = [
  { fd: 0, position: 17, length: FILE_SIZE - 17 - 1000 },
  between,
  { fd: 0, position: 5, length: 12345 },
];
function withFd(parts: SendPart[]): SendPart[] {
  return parts.map((p) => (p instanceof Uint8Array ? p : { ...p, fd }));
}
const expected = () => [header, file.subarray(17, FILE_SIZE - 1000), between, file.subarray(5, 5 + 12345)];
const expectedLength = header.length + (FILE_SIZE - 17 - 1000) + between.length + 12345;

for (const [name, send] of [
  ['sendRanges', sendRanges],
  ['sendRangesBuffered (the twin)', sendRangesBuffered],
] as const) {
  test(`${name} delivers 64 MiB of file ranges and bytes exactly, in order, to a slow reader`, async () => {
    const { sender, received } = await pair(expectedLength);
    const result = await send(sender, header, withFd(ranges));
    const got = await received;
    sender.destroy();
    assert.equal(result.bytes, expectedLength);
    assert.equal(got.bytes, expectedLength);
    assert.equal(got.sha, sha(expected()));
    if (name === 'sendRanges' && !nativeForcedOff && addon !== null) {
      assert.ok(result.zeroCopyBytes > FILE_SIZE / 2, `zero-copy bytes ${result.zeroCopyBytes}`);
      assert.ok(result.writabilityWaits > 0, 'the slow reader never filled the socket buffer');
    } else {
      assert.equal(result.zeroCopyBytes, 0);
    }
  });
}

test('sendRanges keeps order behind bytes Node has queued but not yet written', async () => {
  const queued = Buffer.alloc(16 * 1024 * 1024, 0x11);
  const total = queued.length + expectedLength;
  const { sender, received } = await pair(total);
  sender.write(queued); // the slow reader keeps most of this in Node's queue when sendRanges starts
  const result = await sendRanges(sender, header, withFd(ranges));
  const got = await received;
  sender.destroy();
  assert.equal(result.bytes, expectedLength);
  assert.equal(got.sha, sha([queued, ...expected()]));
});

test('sendRanges and its twin reject when the file ends before the range does', async () => {
  for (const send of [sendRanges, sendRangesBuffered]) {
    const { sender, received } = await pair(Number.MAX_SAFE_INTEGER);
    received.catch(() => {}); // the reader never sees the whole (impossible) length
    await assert.rejects(send(sender, header, [{ fd, position: FILE_SIZE - 10, length: 100 }]), { code: 'ENODATA' });
    sender.destroy();
  }
});
