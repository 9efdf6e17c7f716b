// One client connection: frames (FrameSplitter, max socket.request.max.bytes) -> request header -> handler ->
// response, with Kafka's per-connection guarantees:
// - responses leave in request order even when handlers finish out of order: request i gets sequence i, finished
//   responses wait in a reorder map until every earlier one has been written; acks=0 Produce takes a sequence but
//   writes nothing; a response whose records are in files (Fetch v4+, encodeResponseParts) is sent with sendRanges
//   (sendfile on plain TCP, pooled reads for TLS or without the addon) and holds back every later one until done;
// - pipelining: requests are dispatched as they arrive, without waiting for earlier responses;
// - back-pressure: reading pauses while MAX_IN_FLIGHT requests are unanswered, the responses not yet taken by the
//   kernel (socket write buffer + the frame sendRanges is sending, which writableLength does not see + finished
//   responses waiting their turn) exceed MAX_PENDING_WRITE_BYTES, or the shards' request rings are backed up; it
//   resumes when that clears;
// - bad input closes this connection and nothing else: a frame size < 0 or > the limit (this also catches an HTTP
//   request or a TLS ClientHello, whose first 4 bytes read as a size > 1 GB), a header shorter than 8 bytes, an
//   unknown API key or version, a body that does not decode. A too-new ApiVersions is answered as v0 with
//   UNSUPPORTED_VERSION and ApiVersions' own range (KIP-511), as Kafka does.
// Owner: main thread.
import type { Socket } from 'node:net';
import { sendRanges } from '@sluice/native/send-ranges.ts';
import {
  decodeRequest,
  defaultApiVersionsResponse,
  encodeResponse,
  encodeResponseParts,
  type FrameParts,
  FrameSplitter,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import { type Handler, NO_RESPONSE, type RequestContext } from '../handlers/handler.ts';
import type { BrokerServices } from '../services.ts';

const API_VERSIONS_KEY = 18;
const PRODUCE_KEY = 0;
// 256 unanswered requests per connection: librdkafka keeps up to max.in.flight (1,000,000 by default) in flight;
// beyond 256 we stop reading and let TCP push back instead of holding unbounded request memory.
const MAX_IN_FLIGHT = 256;
// 16 MiB of responses not yet taken by the kernel: a slow consumer stops costing memory beyond this.
const MAX_PENDING_WRITE_BYTES = 16 * 1024 * 1024;
// 32 MiB queued behind full request rings (all shards): stop reading new requests until the shards catch up. The
// queue holds JS copies on top of the 16 MiB rings (broker.ts); 256 MiB alone was half the 512 MiB RSS budget.
const MAX_SHARD_BACKLOG_BYTES = 32 * 1024 * 1024;

export interface ConnectionOptions {
  socket: Socket;
  services: BrokerServices;
  handlers: ReadonlyMap<number, Handler>;
  listenerName: string;
  maxFrameBytes: number;
  /** The socket reads into shared-read-buffer.ts's buffer and calls onData itself (no 'data' listener). */
  sharedReads?: boolean;
  onClose: (c: Connection) => void;
}

export class Connection {
  private readonly o: ConnectionOptions;
  private readonly splitter: FrameSplitter;
  /** The socket reads into the shared buffer: frames must be consumed or copied before onData returns. */
  private readonly sharedReads: boolean;
  private nextSequence = 0;
  private nextToWrite = 0;
  private readonly finished = new Map<number, Buffer | FrameParts | null>();
  /** Bytes of responses finished but not yet handed to the socket (waiting for an earlier one). */
  private finishedBytes = 0;
  /** Frame size of the response being sent with sendRanges (0: none); writableLength does not see those bytes. */
  private sendingBytes = 0;
  private inFlight = 0;
  private paused = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private shuttingDown = false;
  private recheck: NodeJS.Timeout | null = null;

  constructor(o: ConnectionOptions) {
    this.o = o;
    this.sharedReads = o.sharedReads ?? false;
    this.splitter = new FrameSplitter({ maxFrameBytes: o.maxFrameBytes, reusedChunks: this.sharedReads });
    const s = o.socket;
    s.setNoDelay(true);
    if (!this.sharedReads) s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('drain', () => this.maybeResume());
    s.on('error', () => this.close());
    s.on('close', () => this.close());
  }

  /** Resolves when every request read so far has been answered (shutdown). */
  idle(): Promise<void> {
    if (this.inFlight === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops reading new requests (shutdown); in-flight ones are still answered. */
  stopReading(): void {
    this.shuttingDown = true;
    this.paused = true;
    this.o.socket.pause();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.recheck !== null) clearTimeout(this.recheck);
    this.o.socket.destroy();
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
    this.o.onClose(this);
  }

  /** Closes after the responses already written have been flushed. */
  end(): void {
    if (this.closed) return;
    // A send still reading segment fds past the shutdown grace: cut it, since the shards close those fds next.
    if (this.sendingBytes > 0) {
      this.close();
      return;
    }
    this.o.socket.end();
  }

  /** Bytes read from the socket (its 'data' event, or shared-read-buffer.ts's callback with sharedReads). */
  onData(chunk: Buffer): void {
    for (const frame of this.splitter.push(chunk)) {
      if (this.closed) return;
      if (!Buffer.isBuffer(frame)) {
        this.close();
        return;
      }
      this.onFrame(frame);
    }
    this.maybePause();
  }

  private onFrame(view: Buffer): void {
    if (view.length < 8) {
      this.close();
      return;
    }
    const apiKey = view.readInt16BE(0);
    // A frame in the shared read buffer lives only until this call returns (shared-read-buffer.ts). Produce's
    // handler copies its records into the shard rings before its first await, so it reads the frame in place;
    // every other request is small and may keep bytes across an await, so it gets its own copy.
    const frame = this.sharedReads && apiKey !== PRODUCE_KEY ? Buffer.from(view) : view;
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const handler = this.o.handlers.get(apiKey);
    if (handler === undefined) {
      this.close();
      return;
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey !== API_VERSIONS_KEY || apiVersion < 0) {
        this.close();
        return;
      }
      const body = defaultApiVersionsResponse();
      body.errorCode = ErrorCode.UNSUPPORTED_VERSION;
      body.apiKeys = [{ apiKey, minVersion: handler.minVersion, maxVersion: handler.maxVersion }];
      const sequence = this.nextSequence++;
      this.inFlight++;
      this.finish(sequence, encodeResponse(API_VERSIONS_KEY, 0, correlationId, body));
      return;
    }
    const decoded = decodeRequest(frame);
    if (!decoded.ok) {
      this.close();
      return;
    }
    const sequence = this.nextSequence++;
    this.inFlight++;
    const startMs = performance.now();
    let after: Array<() => void> | null = null;
    const ctx: RequestContext = {
      afterResponse: (fn) => {
        if (after === null) after = [];
        after.push(fn);
      },
      apiKey,
      apiVersion,
      correlationId,
      clientId: decoded.value.header.clientId,
      clientHost: this.o.socket.remoteAddress ?? '',
      listenerName: this.o.listenerName,
      services: this.o.services,
    };
    let result: unknown;
    try {
      result = handler.handle(ctx, decoded.value.body);
    } catch (err) {
      this.fail(err, handler, apiVersion);
      return;
    }
    const done = (body: unknown) => {
      this.respond(sequence, ctx, body, handler);
      this.o.services.metrics.onRequest(handler.name, performance.now() - startMs);
      if (after !== null) for (const fn of after) fn();
    };
    if (result instanceof Promise) {
      result.then(done, (err) => {
        this.fail(err, handler, apiVersion);
        if (after !== null) for (const fn of after) fn();
      });
    } else done(result);
  }

  private respond(sequence: number, ctx: RequestContext, body: unknown, handler: Handler): void {
    if (this.closed) return;
    if (body === NO_RESPONSE) {
      this.finish(sequence, null);
      return;
    }
    let bytes: Buffer | FrameParts;
    try {
      // Parts when records are left in files (Fetch v4+): the records are sent from the page cache, never copied.
      bytes = encodeResponseParts(ctx.apiKey, ctx.apiVersion, ctx.correlationId, body);
    } catch (err) {
      this.fail(err, handler, ctx.apiVersion);
      return;
    }
    this.finish(sequence, bytes);
  }

  private fail(err: unknown, handler: Handler, apiVersion: number): void {
    this.o.services.log(
      `${handler.name} v${apiVersion} failed, closing the connection: ${(err as Error)?.stack ?? err}`,
    );
    this.close();
  }

  private finish(sequence: number, bytes: Buffer | FrameParts | null): void {
    if (this.closed) return;
    this.finished.set(sequence, bytes);
    if (bytes !== null) this.finishedBytes += Buffer.isBuffer(bytes) ? bytes.length : bytes.size;
    this.writeInOrder();
  }

  /**
   * Hands finished responses to the socket in request order. A response in parts (records in files) goes out with
   * sendRanges, and nothing else is written to the socket until it resolves: later responses wait in `finished`.
   * A failed send (socket error, a file that ended before its range) closes the connection: the client has part of
   * a frame and the stream cannot be resumed.
   */
  private writeInOrder(): void {
    const s = this.o.socket;
    while (this.sendingBytes === 0 && this.finished.has(this.nextToWrite)) {
      const out = this.finished.get(this.nextToWrite)!;
      this.finished.delete(this.nextToWrite);
      this.nextToWrite++;
      if (out === null) {
        this.inFlight--;
        continue;
      }
      if (Buffer.isBuffer(out)) {
        this.finishedBytes -= out.length;
        this.inFlight--;
        s.write(out);
        continue;
      }
      // Still in flight until the last byte is in the kernel, so idle() (shutdown) waits for it: the shards close
      // their logs' fds only after every connection is idle.
      this.finishedBytes -= out.size;
      this.sendingBytes = out.size;
      sendRanges(s, out.parts[0] as Buffer, out.parts.slice(1)).then(
        () => {
          if (this.closed) return;
          this.sendingBytes = 0;
          this.inFlight--;
          this.writeInOrder();
        },
        (err: Error & { code?: string }) => {
          if (this.closed) return;
          if (err.code === 'ENODATA') this.o.services.log(`fetch response not sent, closing the connection: ${err}`);
          this.close();
        },
      );
    }
    if (this.inFlight === 0) {
      for (const w of this.idleWaiters) w();
      this.idleWaiters = [];
    }
    this.maybeResume();
  }

  private shouldPause(): boolean {
    return (
      this.inFlight >= MAX_IN_FLIGHT ||
      this.o.socket.writableLength + this.sendingBytes + this.finishedBytes > MAX_PENDING_WRITE_BYTES ||
      this.o.services.shards.backlogBytes > MAX_SHARD_BACKLOG_BYTES
    );
  }

  private maybePause(): void {
    if (!this.paused && this.shouldPause()) {
      this.paused = true;
      this.o.socket.pause();
      this.maybeResume();
    }
  }

  private maybeResume(): void {
    if (!this.paused || this.closed || this.shuttingDown) return;
    if (!this.shouldPause()) {
      this.paused = false;
      this.o.socket.resume();
    } else if (this.inFlight === 0 && this.recheck === null) {
      // Paused only by other connections' shard backlog: no response of ours will call us again, so poll.
      this.recheck = setTimeout(() => {
        this.recheck = null;
        this.maybeResume();
      }, 10);
    }
  }
}
