// The JavaScript twin of zero-copy sending: file ranges are read (fs.read, libuv's thread pool) into pooled 256 KiB
// buffers and written with socket.write, in order, after the byte parts before them. Used where the addon is absent
// (or SLUICE_NATIVE=0), on TLS sockets, and where the platform has no sendfile(2).
// Memory: at most POOL_SIZE buffers (1 MiB) per thread are in flight; a buffer returns to the pool when its write
// callback fires, so a slow reader holds the sender back instead of growing the socket's queue.
import { read } from 'node:fs';
import type { Socket } from 'node:net';

/** A byte range of an open file: [position, position + length) of fd. */
export interface FileRange {
  fd: number;
  position: number;
  length: number;
}

/** One piece of a response: bytes in memory, or a range of a file. */
export type SendPart = Uint8Array | FileRange;

export interface SendResult {
  /** Bytes handed to the kernel for this response. */
  bytes: number;
  /** Of those, bytes sent with sendfile(2) (0 on the buffered path). */
  zeroCopyBytes: number;
  /** Times the socket was full and the sender waited for it to drain. */
  writabilityWaits: number;
}

/** 256 KiB reads: large enough that one read costs ~1 us of syscall per 256 KiB, small enough to pool 4 per thread. */
export const POOL_BUFFER_SIZE = 256 * 1024;
const POOL_SIZE = 4;
const pool: Buffer[] = [];
let allocated = 0;
const waiters: Array<(buf: Buffer) => void> = [];

function acquire(): Buffer | Promise<Buffer> {
  const buf = pool.pop();
  if (buf !== undefined) return buf;
  if (allocated < POOL_SIZE) {
    allocated++;
    return Buffer.allocUnsafeSlow(POOL_BUFFER_SIZE);
  }
  return new Promise((resolve) => waiters.push(resolve));
}

function release(buf: Buffer): void {
  const waiter = waiters.shift();
  if (waiter !== undefined) waiter(buf);
  else pool.push(buf);
}

function readInto(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

export function isFileRange(part: SendPart): part is FileRange {
  return !(part instanceof Uint8Array);
}

/** Writes through Node's stream and resolves when the kernel has the bytes (the write callback). */
export function writeThrough(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Sends header then every part, in order, through socket.write. Resolves when the last byte has been written to
 * the kernel; rejects when the socket fails or a file ends before its range does (close the connection then).
 */
export async function sendRangesBuffered(
  socket: Socket,
  header: Uint8Array,
  ranges: readonly SendPart[],
): Promise<SendResult> {
  const result: SendResult = { bytes: 0, zeroCopyBytes: 0, writabilityWaits: 0 };
  let failure: Error | null = null;
  const pending: Promise<void>[] = [];
  const send = (bytes: Uint8Array, buf: Buffer | null): void => {
    result.bytes += bytes.length;
    pending.push(
      new Promise((resolve) => {
        socket.write(bytes, (err) => {
          if (buf !== null) release(buf);
          if (err) failure ??= err;
          resolve();
        });
      }),
    );
  };
  if (header.length > 0) send(header, null);
  for (const part of ranges) {
    if (!isFileRange(part)) {
      if (part.length > 0) send(part, null);
      continue;
    }
    let position = part.position;
    let left = part.length;
    while (left > 0 && failure === null) {
      let buf = acquire();
      if (!(buf instanceof Buffer)) {
        result.writabilityWaits++; // every pooled buffer is still queued in the socket: the reader is behind
        buf = await buf;
      }
      let n: number;
      try {
        n = await readInto(part.fd, buf, Math.min(left, POOL_BUFFER_SIZE), position);
      } catch (err) {
        release(buf);
        failure = err as Error;
        break;
      }
      if (n === 0) {
        release(buf);
        failure = Object.assign(new Error(`file ended ${left} bytes before its range did`), { code: 'ENODATA' });
        break;
      }
      send(buf.subarray(0, n), buf);
      position += n;
      left -= n;
    }
    if (failure !== null) break;
  }
  await Promise.all(pending);
  if (failure !== null) throw failure;
  return result;
}
