// A minimal Kafka wire client for tests: one TCP connection, requests encoded with @sluice/protocol, pipelining
// allowed (send() does not wait for earlier answers), responses matched to requests in arrival order and checked
// against the expected correlation id, so a test sees any reordering. `raw()` writes arbitrary bytes.
import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest, FrameSplitter } from '@sluice/protocol';

interface Pending {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  resolve: (r: { correlationId: number; body: unknown }) => void;
  reject: (e: Error) => void;
}

export class WireClient {
  private readonly socket: Socket;
  private readonly splitter = new FrameSplitter({ maxFrameBytes: 256 * 1024 * 1024 });
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private readonly unmatched: Array<(frame: Buffer) => void> = [];
  /** Correlation ids in the order responses arrived. */
  readonly arrived: number[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) {
        if (!Buffer.isBuffer(frame)) return void socket.destroy();
        const correlationId = frame.readInt32BE(0);
        this.arrived.push(correlationId);
        const p = this.pending.shift();
        if (p === undefined) {
          this.unmatched.shift()?.(frame);
          continue;
        }
        const decoded = decodeResponse(p.apiKey, p.apiVersion, frame);
        if (!decoded.ok) p.reject(new Error(`undecodable response: ${decoded.error.message}`));
        else p.resolve(decoded.value);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const p of this.pending.splice(0)) p.reject(new Error('connection closed'));
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends a request; resolves its response body. `expectResponse` false for acks=0 Produce. */
  send<T = unknown>(apiKey: number, apiVersion: number, body: unknown, expectResponse = true): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    this.socket.write(encodeRequest(apiKey, apiVersion, correlationId, 'sluice-test', body));
    if (!expectResponse) return Promise.resolve(undefined as T);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        apiKey,
        apiVersion,
        correlationId,
        resolve: (r) =>
          r.correlationId === correlationId
            ? resolve(r.body as T)
            : reject(new Error(`response ${r.correlationId} arrived where ${correlationId} was due`)),
        reject,
      });
    });
  }

  /** Writes raw bytes; resolves the next response frame (size prefix removed) that no send() is waiting for. */
  raw(bytes: Buffer): Promise<Buffer> {
    const next = new Promise<Buffer>((resolve) => this.unmatched.push(resolve));
    this.socket.write(bytes);
    return next;
  }

  close(): void {
    this.socket.destroy();
  }
}
