// Accepted sockets read into ONE buffer shared by every connection of the main thread (Node's `onread` option), so a
// socket read allocates nothing. Without it every read allocated a fresh ArrayBuffer (up to 64 KiB) and multi-read
// frames were concatenated into another: at ~150 MB/s of produce that external-memory churn set off a full
// (Mark-Compact) GC every ~45 ms on the main thread, and V8's helper threads spent more CPU than the main thread
// itself (W3 1 KiB, perf-reports/).
// Contract: `onChunk` gets a view of the shared buffer and must be done with it when it returns: the next read of any
// connection overwrites it (connection.ts hands the bytes to a FrameSplitter with reusedChunks and copies every frame
// it keeps past that call, except Produce's, whose records the handler copies into a shard ring synchronously).
// Node offers `onread` for sockets it creates from a handle, not for a server's accepted ones, so the accepted
// socket (paused: the server is created with pauseOnConnect) gives its handle to a new Socket; where that handle is
// not available (a TLS socket, a future Node) adopt() returns null and the caller reads the usual way.
// Owner: main thread.
import { Socket } from 'node:net';

// 256 KiB: a 16-partition x 16 KiB produce request arrives in one read when the kernel has it all.
const READ_BUFFER_BYTES = 256 * 1024;
const shared = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);

interface HandleHolder {
  _handle?: object | null;
}

/**
 * A socket reading `accepted`'s connection into the shared buffer, calling onChunk for every read; null when the
 * handle cannot be taken over (then `accepted` is untouched and still paused).
 */
export function adopt(accepted: Socket, onChunk: (chunk: Buffer) => void): Socket | null {
  const holder = accepted as unknown as HandleHolder;
  const handle = holder._handle;
  if (handle === undefined || handle === null || (accepted as { encrypted?: boolean }).encrypted === true) return null;
  // The old object must not close the handle it no longer owns: detach, then let it go (its 'close' keeps the
  // server's connection count right; the broker tracks connections itself).
  holder._handle = null;
  accepted.destroy();
  const socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: shared,
      callback: (nread: number, buf: Uint8Array) => {
        onChunk(Buffer.from(buf.buffer, buf.byteOffset, nread));
        return true;
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  return socket;
}
