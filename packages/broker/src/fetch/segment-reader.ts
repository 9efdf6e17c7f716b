// Reads the bytes a shard's READ completion points at (fd, position, size) on the main thread, with fs.read into a
// buffer taken from a small pool. Only Fetch v0-3 read here (their magic 0/1 down-conversion needs the bytes);
// v4+ leave the records in the file and the connection sends them (sendRanges: sendfile, or its buffered twin).
// Buffers are returned with release() once the response holding them is encoded.
// Owner: main thread.
import { read } from 'node:fs';

// 1 MiB slabs cover Fetch's default partition max (1 MiB) and kcat/librdkafka's fetch.message.max.bytes (1 MiB);
// larger reads allocate. 32 slabs = 32 MiB kept at most.
const SLAB_BYTES = 1024 * 1024;
const MAX_POOLED = 32;

export class SegmentReader {
  private readonly free: Buffer[] = [];

  private take(size: number): Buffer {
    if (size > SLAB_BYTES) return Buffer.allocUnsafe(size);
    return this.free.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
  }

  /** Reads [position, position + size) of fd; resolves the bytes read (fewer at EOF), or an error. */
  read(fd: number, position: number, size: number): Promise<{ bytes: Buffer; slab: Buffer } | Error> {
    const slab = this.take(size);
    return new Promise((resolve) => {
      let done = 0;
      const step = () => {
        read(fd, slab, done, size - done, position + done, (err, n) => {
          if (err) {
            this.release(slab);
            resolve(err);
            return;
          }
          done += n;
          if (n === 0 || done === size) resolve({ bytes: slab.subarray(0, done), slab });
          else step();
        });
      };
      if (size === 0) resolve({ bytes: slab.subarray(0, 0), slab });
      else step();
    });
  }

  release(slab: Buffer): void {
    if (slab.length === SLAB_BYTES && this.free.length < MAX_POOLED) this.free.push(slab);
  }
}
