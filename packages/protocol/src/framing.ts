// Kafka's TCP framing: every request and response is `size i32 BE` followed by `size` bytes.
// FrameSplitter turns a stream of arbitrary chunks into frames (the bytes after the size prefix):
// - a frame that lies inside one chunk is yielded as a zero-copy subarray of it;
// - a frame that spans chunks is gathered as references to the pieces and copied once when complete, so memory
//   grows with the bytes actually received (<= maxFrameBytes + one chunk), never with the size a peer claims;
// - a negative size or one above maxFrameBytes is yielded as a FrameError as soon as the 4 size bytes are known,
//   before any of the body is buffered; the splitter then stays failed (the connection must be closed; Kafka
//   closes it too: InvalidReceiveException).
// With `reusedChunks` (the caller overwrites a chunk once push() is done with it: a socket reading into one buffer,
// Node's `onread`), pieces of a spanning frame are copied at once into a gather buffer the splitter owns and reuses,
// grown (by doubling) with the bytes actually received; every frame yielded, from a chunk or from the gather buffer,
// is valid only until the iteration goes on (the next frame, or the next push()): the caller consumes or copies it
// first.

export type FrameError = { code: 'NEGATIVE_FRAME_SIZE' | 'FRAME_TOO_LARGE'; size: number; message: string };

export interface FrameSplitterOptions {
  /** Largest accepted frame body. Kafka's socket.request.max.bytes default: 104,857,600 (100 MiB). */
  maxFrameBytes: number;
  /** Chunks are overwritten after push() (see the header); a yielded frame then lives until iteration goes on. */
  reusedChunks?: boolean;
}

// A gather buffer up to 1 MiB is kept for the next spanning frame (a producer's requests are 16 KiB-1 MiB); a larger
// one is dropped once its frame is yielded.
const KEPT_GATHER_BYTES = 1024 * 1024;

export class FrameSplitter {
  readonly maxFrameBytes: number;
  /** Set once a bad size was seen; every later push yields it again. */
  error: FrameError | null = null;
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Body size of the frame being gathered, -1 while reading the size prefix. */
  private frameSize = -1;
  private pieces: Buffer[] = [];
  private gathered = 0;
  private readonly reusedChunks: boolean;
  /** reusedChunks: the bytes of the frame being gathered, at [0, gathered). */
  private gatherBuffer: Buffer | null = null;

  constructor(opts: FrameSplitterOptions) {
    this.maxFrameBytes = opts.maxFrameBytes;
    this.reusedChunks = opts.reusedChunks ?? false;
  }

  /** Bytes held for an incomplete frame (size prefix included). */
  get bufferedBytes(): number {
    return this.sizeFilled + this.gathered;
  }

  private check(size: number): FrameError | null {
    if (size < 0) return { code: 'NEGATIVE_FRAME_SIZE', size, message: `negative frame size ${size}` };
    if (size > this.maxFrameBytes) {
      return { code: 'FRAME_TOO_LARGE', size, message: `frame size ${size} exceeds ${this.maxFrameBytes}` };
    }
    return null;
  }

  /** Feeds one chunk; yields every frame it completes, or a FrameError (then nothing more). */
  *push(chunk: Buffer): Generator<Buffer | FrameError, void, undefined> {
    if (this.error !== null) {
      yield this.error;
      return;
    }
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.frameSize < 0) {
        if (this.sizeFilled === 0 && n - i >= 4) {
          const size = chunk.readInt32BE(i);
          const err = this.check(size);
          if (err !== null) {
            this.error = err;
            yield err;
            return;
          }
          i += 4;
          if (n - i >= size) {
            yield chunk.subarray(i, i + size);
            i += size;
            continue;
          }
          this.frameSize = size;
        } else {
          const take = Math.min(4 - this.sizeFilled, n - i);
          chunk.copy(this.sizeBytes, this.sizeFilled, i, i + take);
          this.sizeFilled += take;
          i += take;
          if (this.sizeFilled < 4) return;
          this.sizeFilled = 0;
          const size = this.sizeBytes.readInt32BE(0);
          const err = this.check(size);
          if (err !== null) {
            this.error = err;
            yield err;
            return;
          }
          if (size === 0) {
            yield Buffer.alloc(0);
            continue;
          }
          this.frameSize = size;
          if (n - i >= size) {
            this.frameSize = -1;
            yield chunk.subarray(i, i + size);
            i += size;
            continue;
          }
        }
        if (i === n) return;
      }
      // Gathering a frame that spans chunks.
      const take = Math.min(this.frameSize - this.gathered, n - i);
      if (this.reusedChunks) this.gatherCopy(chunk, i, take);
      else this.pieces.push(chunk.subarray(i, i + take));
      this.gathered += take;
      i += take;
      if (this.gathered === this.frameSize) {
        let frame: Buffer;
        if (this.reusedChunks) {
          frame = this.gatherBuffer!.subarray(0, this.frameSize);
          if (this.gatherBuffer!.length > KEPT_GATHER_BYTES) this.gatherBuffer = null;
        } else {
          frame = Buffer.concat(this.pieces, this.frameSize);
          this.pieces = [];
        }
        this.gathered = 0;
        this.frameSize = -1;
        yield frame;
      }
    }
  }

  /** Appends chunk[i, i + take) to the gather buffer, doubling it (up to the frame's size) when it is full. */
  private gatherCopy(chunk: Buffer, i: number, take: number): void {
    const need = this.gathered + take;
    let buf = this.gatherBuffer;
    if (buf === null || buf.length < need) {
      const size = Math.min(this.frameSize, Math.max(need, (buf?.length ?? 0) * 2, 64 * 1024));
      const grown = Buffer.allocUnsafeSlow(size);
      if (buf !== null && this.gathered > 0) buf.copy(grown, 0, 0, this.gathered);
      buf = grown;
      this.gatherBuffer = grown;
    }
    chunk.copy(buf, this.gathered, i, i + take);
  }
}
