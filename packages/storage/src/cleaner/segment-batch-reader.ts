// Sequential reader of the record batches of one sealed segment file, in bounded chunks, for the cleaner. The
// file is immutable while sealed, so plain positional reads through FileOps are enough (no mmap, no page-cache
// tricks); a chunk is 1 MiB or one batch, whichever is larger, so memory stays bounded by the largest batch.
//
// Each batch is checked for length and CRC before it is handed out. A sealed segment passed recovery, so a bad
// batch means damage after the fact: the reader reports it and the cleaner stops touching that log rather than
// rewrite a segment without the bytes it could not read.
//
// Owner: shard.
import {
  batchSizeAt,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  validateRecordBatch,
} from '@sluice/protocol/records/record-batch.ts';
import { type FileOps, readFully } from '../file-ops.ts';

const CHUNK_BYTES = 1024 * 1024;

export interface BatchView {
  buf: Buffer;
  /** Position of the batch in `buf`. */
  pos: number;
  size: number;
  /** Position of the batch in the file. */
  filePosition: number;
}

export class SegmentBatchReader {
  readonly path: string;
  private readonly ops: FileOps;
  private fd: number;
  private readonly fileSize: number;
  private chunk: Buffer = Buffer.alloc(0);
  /** File position of chunk[0]. */
  private chunkStart = 0;
  /** Next file position to hand out. */
  private position = 0;
  /** Set when a batch failed validation; iteration stops there. */
  error: string | null = null;

  constructor(ops: FileOps, path: string, startPosition = 0) {
    this.ops = ops;
    this.path = path;
    this.fd = ops.open(path, 'r');
    this.fileSize = ops.size(this.fd);
    this.position = startPosition;
  }

  get filePosition(): number {
    return this.position;
  }

  get done(): boolean {
    return this.position >= this.fileSize || this.error !== null;
  }

  /** The next batch, or null at the end of the file or after an error (see `error`). */
  next(): BatchView | null {
    if (this.done) return null;
    const remaining = this.fileSize - this.position;
    if (remaining < LOG_OVERHEAD) return this.fail(`${remaining} trailing bytes`);
    if (!this.ensure(LOG_OVERHEAD)) return this.fail('short read');
    const size = batchSizeAt(this.chunk, this.position - this.chunkStart);
    if (size - LOG_OVERHEAD < MIN_BATCH_LENGTH || size > remaining) return this.fail(`bad batch size ${size}`);
    if (!this.ensure(size)) return this.fail('short read');
    const pos = this.position - this.chunkStart;
    const bad = validateRecordBatch(this.chunk, pos, pos + size);
    if (bad !== null) return this.fail(bad.message);
    const view = { buf: this.chunk, pos, size, filePosition: this.position };
    this.position += size;
    return view;
  }

  close(): void {
    if (this.fd >= 0) this.ops.close(this.fd);
    this.fd = -1;
  }

  private fail(message: string): null {
    this.error = `${this.path} at byte ${this.position}: ${message}`;
    return null;
  }

  /** Makes [position, position + n) available in the chunk. */
  private ensure(n: number): boolean {
    const have = this.chunkStart + this.chunk.length - this.position;
    if (this.position >= this.chunkStart && have >= n) return true;
    const want = Math.min(Math.max(CHUNK_BYTES, n), this.fileSize - this.position);
    const fresh = Buffer.allocUnsafe(want);
    const got = readFully(this.ops, this.fd, fresh, 0, want, this.position);
    this.chunk = fresh.subarray(0, got);
    this.chunkStart = this.position;
    return got >= n;
  }
}
