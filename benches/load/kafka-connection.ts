// One pipelined Kafka protocol connection for the load generator: requests go out in the order given, responses
// come back in that order (Kafka answers in order per connection), each matched to its promise by correlation id.
// - send(frame) takes a whole encoded request frame (size prefix included), e.g. from encodeRequest;
//   sendParts(header, rest) writes a 12-byte fresh header and a shared, pre-encoded remainder (wire-ceiling runs:
//   no per-request encoding, the same bytes go out every time);
// - request(apiKey, version, body) encodes with @sluice/protocol and decodes the response body;
// - inFlight counts requests without a response; the caller bounds it (max in flight);
// - a socket error or close rejects every pending request with that error; nothing retries.
import { createConnection, type Socket } from 'node:net';
import { decodeResponse, encodeRequest, FrameSplitter } from '@sluice/protocol';

interface Pending {
  correlationId: number;
  resolve: (frame: Buffer) => void;
  reject: (e: Error) => void;
}

export class KafkaConnection {
  private readonly socket: Socket;
  private readonly splitter = new FrameSplitter({ maxFrameBytes: 256 * 1024 * 1024 });
  private readonly pending: Pending[] = [];
  private head = 0;
  private nextCorrelationId = 1;
  private failure: Error | null = null;
  bytesOut = 0;
  bytesIn = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(hostPort: string, timeoutMs = 10_000): Promise<KafkaConnection> {
    const i = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, i);
    const port = Number(hostPort.slice(i + 1));
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect ${hostPort}: timeout`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new KafkaConnection(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get inFlight(): number {
    return this.pending.length - this.head;
  }

  allocateCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = (id + 1) & 0x7fffffff;
    return id;
  }

  /** Sends a whole frame whose correlation id is `correlationId`; resolves with the response frame body. */
  send(correlationId: number, frame: Buffer): Promise<Buffer> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const p = new Promise<Buffer>((resolve, reject) => this.pending.push({ correlationId, resolve, reject }));
    this.bytesOut += frame.length;
    this.socket.write(frame);
    return p;
  }

  /**
   * Sends [size i32][apiKey i16][apiVersion i16][correlationId i32] + rest, where rest is the pre-encoded remainder
   * of the request (clientId onwards). One writev through cork/uncork.
   */
  sendParts(apiKey: number, apiVersion: number, rest: Buffer): Promise<Buffer> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const correlationId = this.allocateCorrelationId();
    const header = Buffer.allocUnsafe(12);
    header.writeInt32BE(8 + rest.length, 0);
    header.writeInt16BE(apiKey, 4);
    header.writeInt16BE(apiVersion, 6);
    header.writeInt32BE(correlationId, 8);
    const p = new Promise<Buffer>((resolve, reject) => this.pending.push({ correlationId, resolve, reject }));
    this.bytesOut += 12 + rest.length;
    this.socket.cork();
    this.socket.write(header);
    this.socket.write(rest);
    this.socket.uncork();
    return p;
  }

  /** Encodes, sends and decodes one request. */
  async request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T> {
    const id = this.allocateCorrelationId();
    const frame = await this.send(id, encodeRequest(apiKey, apiVersion, id, 'sluice-load', body));
    const d = decodeResponse(apiKey, apiVersion, frame);
    if (!d.ok) throw new Error(`api ${apiKey} v${apiVersion}: undecodable response: ${d.error.message}`);
    return d.value.body as T;
  }

  close(): void {
    this.failure ??= new Error('connection closed by the load generator');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    for (const frame of this.splitter.push(chunk)) {
      if (!Buffer.isBuffer(frame)) {
        this.fail(new Error(frame.message));
        return;
      }
      const p = this.pending[this.head];
      if (p === undefined) {
        this.fail(new Error('response without a request'));
        return;
      }
      this.pending[this.head++] = undefined as unknown as Pending;
      if (this.head > 1024 && this.head * 2 > this.pending.length) {
        this.pending.splice(0, this.head);
        this.head = 0;
      }
      const id = frame.readInt32BE(0);
      if (id !== p.correlationId) p.reject(new Error(`correlation id ${id}, expected ${p.correlationId}`));
      else p.resolve(frame);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const list = this.pending.slice(this.head);
    this.pending.length = 0;
    this.head = 0;
    for (const p of list) p.reject(this.failure);
    this.socket.destroy();
  }
}
