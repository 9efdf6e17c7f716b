// The recording proxy forwards bytes unchanged both ways and records whole frames, whatever the TCP chunking,
// with each response matched to its request's apiKey/apiVersion by correlation id. No Kafka needed: the upstream
// is a small echo-style server that answers every frame with a response carrying the same correlation id.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { startRecordingProxy } from '../src/recording-proxy.ts';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function request(apiKey: number, apiVersion: number, correlationId: number, payload: string): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** Upstream that answers each request frame with [correlationId, "re:" + payload], in order. */
async function startUpstream() {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const body = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + body.length);
        socket.write(frame(Buffer.concat([body.subarray(4, 8), Buffer.from('re:'), body.subarray(8)])));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

async function readFrames(socket: Socket, count: number): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  let pending = Buffer.alloc(0);
  for await (const chunk of socket) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      frames.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
      pending = pending.subarray(4 + pending.readInt32BE(0));
    }
    if (frames.length >= count) break;
  }
  return frames;
}

test('records every request and response frame, split one byte at a time, with apiKey/apiVersion matched', async () => {
  const upstream = await startUpstream();
  const proxy = await startRecordingProxy({ targetPort: upstream.port });
  try {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    await once(socket, 'connect');
    const requests = [request(18, 3, 7, 'versions'), request(3, 12, 8, 'metadata'), request(0, 9, 9, 'produce')];
    const bytes = Buffer.concat(requests.map(frame));
    // One byte per write, with a pause every 8 bytes, so frames and their size prefixes arrive in pieces.
    for (let i = 0; i < bytes.length; i++) {
      socket.write(bytes.subarray(i, i + 1));
      if (i % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    const replies = await readFrames(socket, 3);
    socket.destroy();
    assert.deepEqual(
      replies.map((r) => r.subarray(4).toString()),
      ['re:versions', 're:metadata', 're:produce'],
    );
    const recorded = proxy.frames.map((f) => [
      f.direction,
      f.apiKey,
      f.apiVersion,
      f.correlationId,
      f.body.toString('latin1'),
    ]);
    const expectRequests = requests.map((r) => [
      'request',
      r.readInt16BE(0),
      r.readInt16BE(2),
      r.readInt32BE(4),
      r.toString('latin1'),
    ]);
    const expectResponses = replies.map((r, i) => [
      'response',
      requests[i].readInt16BE(0),
      requests[i].readInt16BE(2),
      r.readInt32BE(0),
      r.toString('latin1'),
    ]);
    assert.deepEqual(
      recorded.filter((f) => f[0] === 'request'),
      expectRequests,
    );
    assert.deepEqual(
      recorded.filter((f) => f[0] === 'response'),
      expectResponses,
    );
  } finally {
    await proxy.close();
    upstream.server.close();
  }
});

test('refuses connections until a target is set', async () => {
  const proxy = await startRecordingProxy();
  try {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    socket.on('error', () => {});
    await once(socket, 'close');
    assert.equal(proxy.frames.length, 0);
  } finally {
    await proxy.close();
  }
});
