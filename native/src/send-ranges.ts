// sendRanges(socket, header, ranges): sends a fetch response made of bytes in memory and file ranges, zero-copy
// where it can. Picks per call:
// - zero-copy: the addon's sendFile (send(2) + sendfile(2)) straight on the socket's fd, when the addon is loaded,
//   the platform has sendfile, and the socket is plain TCP with an fd (not TLS, not a pipe wrapper);
// - otherwise the JavaScript twin sendRangesBuffered (fs.read into pooled buffers + socket.write).
//
// Contract of the zero-copy path (what keeps bytes in order on a socket Node also writes to):
// - Kernel writes happen only while Node's own write queue for the socket is empty (writableLength === 0). If it is
//   not empty, the next bytes go through socket.write and the driver waits for that write's callback, which fires
//   once everything queued before it has reached the kernel.
// - When the socket buffer is full (sendFile returns 0: EAGAIN on the non-blocking fd libuv opened), the next
//   64 KiB go through socket.write as well: libuv queues them, watches the fd for writability, and calls back once
//   they are in the kernel. That is the only way to wait for writability without a second epoll registration of
//   the fd (which libuv owns). Then sendfile resumes after them.
// - One response at a time per socket: the caller awaits sendRanges before writing anything else to the socket.
// - socket.bytesWritten does not count the bytes sendfile sent; SendResult.bytes does.
import { read } from 'node:fs';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { addon } from './addon.ts';
import { errnoName } from './errno.ts';
import {
  type FileRange,
  isFileRange,
  POOL_BUFFER_SIZE,
  type SendPart,
  type SendResult,
  sendRangesBuffered,
  writeThrough,
} from './send-ranges-buffered.ts';

export type { FileRange, SendPart, SendResult };
export { sendRangesBuffered };

/** Bytes sent through Node's stream to wait for writability (see the contract above). */
const WAIT_CHUNK = 64 * 1024;
const EMPTY = new Uint8Array(0);

const sendFileNative = addon?.sendFileSupported() ? addon.sendFile : null;

/** The socket's fd when the zero-copy path may write to it, else -1. */
export function zeroCopyFd(socket: Socket): number {
  if (sendFileNative === null) return -1;
  if ((socket as { encrypted?: boolean }).encrypted === true || socket.connecting || socket.destroyed) return -1;
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

function errnoError(code: number): Error {
  const name = errnoName(code);
  const message = name === 'ENODATA' ? 'file ended before its range did' : `sendfile failed: ${name}`;
  return Object.assign(new Error(message), { code: name, errno: code });
}

/**
 * Sends header then every part, in order. Resolves when the last byte is in the kernel; rejects when the socket
 * fails or a file ends before its range does (close the connection then).
 */
export function sendRanges(socket: Socket, header: Uint8Array, ranges: readonly SendPart[]): Promise<SendResult> {
  const fd = zeroCopyFd(socket);
  if (fd < 0) return sendRangesBuffered(socket, header, ranges);
  return sendZeroCopy(socket, fd, header, ranges);
}

/** One native step: bytes in memory followed by an optional file range (length 0 when none). */
interface Step {
  bytes: Uint8Array;
  fd: number;
  position: number;
  length: number;
}

function steps(header: Uint8Array, ranges: readonly SendPart[]): Step[] {
  const out: Step[] = [];
  let bytes: Uint8Array[] = header.length > 0 ? [header] : [];
  for (const part of ranges) {
    if (!isFileRange(part)) {
      if (part.length > 0) bytes.push(part);
      continue;
    }
    out.push({ bytes: join(bytes), fd: part.fd, position: part.position, length: part.length });
    bytes = [];
  }
  if (bytes.length > 0) out.push({ bytes: join(bytes), fd: -1, position: 0, length: 0 });
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY;
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

async function sendZeroCopy(
  socket: Socket,
  fd: number,
  header: Uint8Array,
  ranges: readonly SendPart[],
): Promise<SendResult> {
  const result: SendResult = { bytes: 0, zeroCopyBytes: 0, writabilityWaits: 0 };
  const send = sendFileNative!;
  let scratch: Buffer | null = null;
  for (const step of steps(header, ranges)) {
    let { bytes, position, length } = step;
    while (bytes.length > 0 || length > 0) {
      if (socket.destroyed) throw Object.assign(new Error('socket closed during sendRanges'), { code: 'EPIPE' });
      let written = 0;
      if (socket.writableLength === 0) {
        written = send(fd, bytes, step.fd, position, length);
        if (written < 0) throw errnoError(written);
      }
      if (written === 0) {
        // Full socket buffer, or Node still has queued bytes: move the next bytes through Node and wait.
        result.writabilityWaits++;
        let chunk: Uint8Array;
        if (bytes.length > 0) {
          chunk = bytes.subarray(0, WAIT_CHUNK);
        } else {
          scratch ??= Buffer.allocUnsafe(Math.min(WAIT_CHUNK, POOL_BUFFER_SIZE));
          const n = await readFileChunk(step.fd, scratch, Math.min(length, WAIT_CHUNK), position);
          if (n === 0) throw errnoError(-constants.errno.ENODATA);
          chunk = scratch.subarray(0, n);
        }
        await writeThrough(socket, chunk);
        written = chunk.length;
      } else {
        result.zeroCopyBytes += Math.max(0, written - bytes.length);
      }
      result.bytes += written;
      // Advance: header bytes first, then the file range.
      const fromBytes = Math.min(written, bytes.length);
      bytes = bytes.subarray(fromBytes);
      position += written - fromBytes;
      length -= written - fromBytes;
    }
  }
  return result;
}

function readFileChunk(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}
