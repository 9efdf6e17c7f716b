// Recording TCP proxy between Kafka clients and a broker. Listens on 127.0.0.1, opens one upstream connection per
// client connection, forwards bytes unchanged in both directions, and splits each direction into Kafka frames
// (int32 size + body). Every frame is recorded with its body (without the size prefix):
//   request:  api_key i16 @0, api_version i16 @2, correlation_id i32 @4 (request header v1/v2, never v0 here);
//   response: correlation_id i32 @0, matched to the request of that correlation id on the same connection, so a
//             response carries its request's apiKey/apiVersion.
// Frames are recorded in the order the proxy saw them; `seq` numbers them across connections.
// Kafka's Metadata/FindCoordinator responses name the broker's advertised host:port, so start Kafka with
// advertisedPort = proxy.port or clients bypass the proxy after bootstrap. The target may be set after listen().
import { createConnection, createServer, type Socket } from 'node:net';

export interface RecordedFrame {
  seq: number;
  connectionId: number;
  direction: 'request' | 'response';
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Frame body without the 4-byte size prefix. */
  body: Buffer;
}

export interface RecordingProxy {
  port: number;
  frames: RecordedFrame[];
  setTarget(host: string, port: number): void;
  /** Drops recorded frames (e.g. between scenarios). */
  clear(): void;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  port?: number;
  targetHost?: string;
  targetPort?: number;
  /** Frames with bodies larger than this are recorded with an empty body (size still forwarded); default 16 MiB. */
  maxRecordedBytes?: number;
}

/** Splits a byte stream into size-prefixed frames; holds a partial frame until the rest arrives. */
class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (this.pending.length < 4 + size) break;
      onFrame(Buffer.from(this.pending.subarray(4, 4 + size)));
      this.pending = this.pending.subarray(4 + size);
    }
  }
}

export function startRecordingProxy(opts: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  let targetHost = opts.targetHost ?? '127.0.0.1';
  let targetPort = opts.targetPort;
  const frames: RecordedFrame[] = [];
  const sockets = new Set<Socket>();
  let nextConnectionId = 0;
  let seq = 0;
  const maxRecorded = opts.maxRecordedBytes ?? 16 * 1024 * 1024;

  const server = createServer((client) => {
    if (targetPort === undefined) {
      client.destroy();
      return;
    }
    const connectionId = nextConnectionId++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
    const requests = new FrameSplitter();
    const responses = new FrameSplitter();
    const keep = (body: Buffer) => (body.length <= maxRecorded ? body : Buffer.alloc(0));

    client.on('data', (chunk: Buffer) => {
      requests.push(chunk, (body) => {
        if (body.length < 8) return;
        const apiKey = body.readInt16BE(0);
        const apiVersion = body.readInt16BE(2);
        const correlationId = body.readInt32BE(4);
        inFlight.set(correlationId, { apiKey, apiVersion });
        frames.push({
          seq: seq++,
          connectionId,
          direction: 'request',
          apiKey,
          apiVersion,
          correlationId,
          body: keep(body),
        });
      });
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      responses.push(chunk, (body) => {
        if (body.length < 4) return;
        const correlationId = body.readInt32BE(0);
        const req = inFlight.get(correlationId);
        inFlight.delete(correlationId);
        frames.push({
          seq: seq++,
          connectionId,
          direction: 'response',
          apiKey: req?.apiKey ?? -1,
          apiVersion: req?.apiVersion ?? -1,
          correlationId,
          body: keep(body),
        });
      });
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        port,
        frames,
        setTarget(host, p) {
          targetHost = host;
          targetPort = p;
        },
        clear() {
          frames.length = 0;
        },
        close() {
          for (const s of sockets) s.destroy();
          sockets.clear();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
