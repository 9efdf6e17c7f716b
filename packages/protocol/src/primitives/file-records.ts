// Records kept out of the encoded body. A `records` field (RECORDS / COMPACT_RECORDS on the wire) may be given as a
// range of an open file instead of bytes: every generated message with a records field `x` also has an optional
// `xInFile: FileRange`, and when it is set the encoder writes x's length prefix (int32, or unsigned varint of
// length + 1 when compact) and leaves a hole of `length` bytes where the records go; `x` itself is then ignored.
// Only encodeResponseParts (header.ts) fills the holes' list; the plain encoders throw on a file range, since they
// cannot put bytes they do not have into a buffer.
// Sizes: sizeOfRecords counts the range's bytes (the message's wire size, what the frame's size prefix covers) and
// adds them to a per-thread tally, so that encodeResponseParts knows how many of those bytes are not in memory
// without walking the message again. JavaScript is single-threaded and sizeOf is synchronous: nothing interleaves
// between resetting the tally and reading it.
import { sizeOfUnsignedVarint } from './varint.ts';
import { sizeOfBytes, sizeOfCompactBytes, Writer } from './writer.ts';

/** A byte range of an open file: [position, position + length) of fd. Same shape as native's FileRange. */
export interface FileRange {
  fd: number;
  position: number;
  length: number;
}

let fileRecordsBytes = 0;

/** Resets the tally of records bytes in files that sizeOf has counted (encodeResponseParts). */
export function resetFileRecordsBytes(): void {
  fileRecordsBytes = 0;
}

/** Records bytes in files counted by sizeOf since the last reset. */
export function fileRecordsBytesCounted(): number {
  return fileRecordsBytes;
}

/** Wire size of a records field: in memory (`b`, null allowed) or in a file (`inFile`, which wins when set). */
export function sizeOfRecords(b: Buffer | null, inFile: FileRange | undefined, compact: boolean): number {
  if (inFile === undefined) return compact ? sizeOfCompactBytes(b) : sizeOfBytes(b);
  fileRecordsBytes += inFile.length;
  return (compact ? sizeOfUnsignedVarint(inFile.length + 1) : 4) + inFile.length;
}

/** One piece of an encoded frame: bytes in memory, or a range of a file sent in their place. */
export type FramePart = Buffer | FileRange;

/** A frame whose records are (partly) in files: what encodeResponseParts returns when there are any. */
export interface FrameParts {
  /**
   * [bytes, range, bytes, range, ..., bytes]: byte parts and file ranges alternate, starting and ending with bytes
   * (possibly empty); the first byte part starts with the frame's int32 size prefix, which covers the ranges.
   */
  parts: FramePart[];
  /** The whole frame's length in bytes, size prefix included: what the receiver will read. */
  size: number;
}

/**
 * A Writer over the in-memory bytes of a frame only (the buffer is the frame's size minus its file ranges): each
 * file range leaves a hole, remembered with the position where it goes.
 */
export class PartsWriter extends Writer {
  private readonly holes: FileRange[] = [];
  private readonly holeAt: number[] = [];

  protected override hole(range: FileRange): void {
    this.holes.push(range);
    this.holeAt.push(this.pos);
  }

  /** The frame as parts; `size` is its total length (buffer bytes + range bytes). */
  parts(size: number): FrameParts {
    if (this.pos !== this.buf.length) throw new RangeError(`wrote ${this.pos} of ${this.buf.length} bytes`);
    const parts: FramePart[] = [];
    let from = 0;
    for (let i = 0; i < this.holes.length; i++) {
      parts.push(this.buf.subarray(from, this.holeAt[i]), this.holes[i]);
      from = this.holeAt[i];
    }
    parts.push(this.buf.subarray(from));
    return { parts, size };
  }
}
