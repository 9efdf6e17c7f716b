// The connection's write path for responses whose records stay in files (server/connection.ts, encodeResponseParts):
// a Fetch answer sent from a file range, larger than the socket buffers so its send is still under way when the
// next pipelined request (answered at once) finishes, reaches the client whole and before that answer; a range
// whose file ends early closes the connection instead of sending a short frame or a later response.
// Runs on whichever sendRanges this process picks: sendfile with the addon, the buffered twin with SLUICE_NATIVE=0.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  decodeResponse,
  defaultApiVersionsRequest,
  defaultApiVersionsResponse,
  defaultFetchRequest,
  encodeRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
} from '@sluice/protocol';
import type { Handler } from '../src/handlers/handler.ts';
import { Connection } from '../src/server/connection.ts';
import type { BrokerServices } from '../src/services.ts';

// 12 MiB: several times loopback's socket buffers, so the send needs many writability waits.
const FILE_BYTES = 12 * 1024 * 1024;
const FETCH_VERSION = 12;

let dir: string;
let fd: number;
let content: Buffer;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-connection-'));
  content = Buffer.allocUnsafe(FILE_BYTES);
  for (let i = 0; i < FILE_BYTES; i += 4) content.writeUInt32BE((i * 2654435761) >>> 0, i);
  fd = openSync(join(dir, 'segment.log'), 'w+');
  writeSync(fd, content, 0, content.length, 0);
});

after(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

function partition(range: { fd: number; position: number; length: number }): FetchResponsePartitionData {
  return {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 1n,
    lastStableOffset: 1n,
    logStartOffset: 0n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
    recordsInFile: range,
  };
}

/** A broker connection with a Fetch handler answering `range` and ApiVersions, on a real loopback socket. */
async function serve(range: { fd: number; position: number; length: number }) {
  const fetchHandler: Handler = {
    apiKey: 1,
    name: 'Fetch',
    minVersion: 0,
    maxVersion: 17,
    handle: (): FetchResponse => ({
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topic: 't', topicId: '', partitions: [partition(range)] }],
      nodeEndpoints: [],
    }),
  };
  const apiVersions: Handler = {
    apiKey: 18,
    name: 'ApiVersions',
    minVersion: 0,
    maxVersion: 4,
    handle: () => defaultApiVersionsResponse(),
  };
  const logs: string[] = [];
  const services = {
    metrics: { onRequest() {} },
    log: (line: string) => logs.push(line),
    shards: { backlogBytes: 0 },
  } as unknown as BrokerServices;
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server: Server = createServer((socket) => {
    new Connection({
      socket,
      services,
      handlers: new Map([
        [1, fetchHandler],
        [18, apiVersions],
      ]),
      listenerName: 'PLAINTEXT',
      maxFrameBytes: 1024 * 1024,
      onClose: () => closed(),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  return { server, client, logs, connectionClosed };
}

/** Reads frames until `count` arrived, the socket ends, or 20 s passed (then the test fails on what it got). */
function readFrames(client: Socket, count: number): Promise<{ frames: Buffer[]; ended: boolean }> {
  return new Promise((resolve) => {
    const frames: Buffer[] = [];
    let chunks: Buffer[] = [];
    let buffered = 0;
    const timer = setTimeout(() => finish(false), 20_000);
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      client.removeAllListeners('data');
      resolve({ frames, ended });
    };
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      // Join only once a whole frame is in (a 12 MiB frame arrives in hundreds of chunks).
      let head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks.slice(0, 2));
      while (head.length >= 4 && buffered >= 4 + head.readInt32BE(0)) {
        const all = Buffer.concat(chunks);
        const size = all.readInt32BE(0);
        frames.push(all.subarray(4, 4 + size));
        chunks = [all.subarray(4 + size)];
        buffered = chunks[0].length;
        head = chunks[0];
      }
      if (frames.length === count) finish(false);
    });
    client.once('close', () => finish(true));
  });
}

test('a response sent from a file range leaves whole and before the quicker answer pipelined after it', {
  timeout: 60_000,
}, async () => {
  const { server, client } = await serve({ fd, position: 0, length: FILE_BYTES });
  try {
    const got = readFrames(client, 4);
    client.write(
      Buffer.concat([
        encodeRequest(1, FETCH_VERSION, 1, 'test', defaultFetchRequest()),
        encodeRequest(18, 3, 2, 'test', defaultApiVersionsRequest()),
        encodeRequest(1, FETCH_VERSION, 3, 'test', defaultFetchRequest()),
        encodeRequest(18, 3, 4, 'test', defaultApiVersionsRequest()),
      ]),
    );
    const { frames } = await got;
    assert.deepEqual(
      frames.map((f) => f.readInt32BE(0)),
      [1, 2, 3, 4],
      'correlation ids in request order',
    );
    for (const i of [0, 2]) {
      const decoded = decodeResponse(1, FETCH_VERSION, frames[i]);
      assert.ok(decoded.ok);
      const records = (decoded.value.body as FetchResponse).responses[0].partitions[0].records;
      assert.ok(records?.equals(content), 'the records are the file range, byte for byte');
    }
    for (const i of [1, 3]) assert.ok(decodeResponse(18, 3, frames[i]).ok);
  } finally {
    client.destroy();
    server.close();
  }
});

test('a file that ends before its range closes the connection; nothing after it is sent', {
  timeout: 60_000,
}, async () => {
  const { server, client, logs, connectionClosed } = await serve({
    fd,
    position: FILE_BYTES - 1000,
    length: 5000,
  });
  try {
    const got = readFrames(client, 2);
    client.write(
      Buffer.concat([
        encodeRequest(1, FETCH_VERSION, 1, 'test', defaultFetchRequest()),
        encodeRequest(18, 3, 2, 'test', defaultApiVersionsRequest()),
      ]),
    );
    const { frames, ended } = await got;
    assert.ok(ended, 'the broker closed the connection');
    assert.equal(frames.length, 0, 'no whole frame: neither the short Fetch answer nor the ApiVersions after it');
    await Promise.race([connectionClosed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    assert.ok(logs.some((l) => l.includes('fetch response not sent')));
  } finally {
    client.destroy();
    server.close();
  }
});
