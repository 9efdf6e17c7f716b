// Writer: big-endian writes into one buffer allocated up front (`new Writer(size)` with the exact size computed by
// a generated sizeOfX) or over a caller's buffer at an offset. It never grows: writing past the end is a bug in a
// size computation and throws RangeError. Strings go straight into the buffer with buf.write (no intermediate
// Buffer). Writing null where the version does not allow it, or an out-of-range number, is a caller bug and throws.
// The sizeOf* functions here give the encoded size of each primitive; generated sizeOfX functions add them up.
import type { FileRange } from './file-records.ts';
import type { UnknownTaggedField } from './reader.ts';
import { writeUuidBytes } from './uuid.ts';
import { sizeOfUnsignedVarint, writeUnsignedVarint } from './varint.ts';

/**
 * Thrown when a message cannot be written in the requested version: a non-ignorable field holds a non-default
 * value the version lacks, or the version is outside the message's range (Kafka's UnsupportedVersionException).
 */
export class UnsupportedVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedVersionError';
  }
}

export class Writer {
  buf: Buffer;
  pos: number;

  constructor(sizeOrBuffer: number | Buffer, offset = 0) {
    // allocUnsafe: every byte is overwritten because sizeOfX is exact (the round-trip tests check it).
    this.buf = typeof sizeOrBuffer === 'number' ? Buffer.allocUnsafe(sizeOrBuffer) : sizeOrBuffer;
    this.pos = offset;
  }

  writeInt8(v: number): void {
    this.pos = this.buf.writeInt8(v, this.pos);
  }

  writeBool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  writeUint16(v: number): void {
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  writeInt32(v: number): void {
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  writeUint32(v: number): void {
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }

  writeInt64(v: bigint): void {
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
  }

  writeFloat64(v: number): void {
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }

  writeUuid(v: string): void {
    if (this.pos + 16 > this.buf.length) throw new RangeError('write past the end of the buffer');
    writeUuidBytes(this.buf, this.pos, v);
    this.pos += 16;
  }

  writeUnsignedVarint(v: number): void {
    if (this.pos + sizeOfUnsignedVarint(v) > this.buf.length) throw new RangeError('write past the end of the buffer');
    this.pos = writeUnsignedVarint(this.buf, this.pos, v);
  }

  private utf8(s: string, len: number): void {
    if (this.pos + len > this.buf.length) throw new RangeError('write past the end of the buffer');
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  private raw(b: Buffer): void {
    if (this.pos + b.length > this.buf.length) throw new RangeError('write past the end of the buffer');
    this.pos += b.copy(this.buf, this.pos);
  }

  writeString(s: string | null): void {
    if (s === null) throw new TypeError('null string where the version does not allow null');
    const len = Buffer.byteLength(s);
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes exceeds the int16 length`);
    this.writeInt16(len);
    this.utf8(s, len);
  }

  writeNullableString(s: string | null): void {
    if (s === null) this.writeInt16(-1);
    else this.writeString(s);
  }

  writeCompactString(s: string | null): void {
    if (s === null) throw new TypeError('null string where the version does not allow null');
    const len = Buffer.byteLength(s);
    this.writeUnsignedVarint(len + 1);
    this.utf8(s, len);
  }

  writeCompactNullableString(s: string | null): void {
    if (s === null) this.buf[this.pos++] = 0;
    else this.writeCompactString(s);
  }

  writeBytes(b: Buffer | null): void {
    if (b === null) throw new TypeError('null bytes where the version does not allow null');
    this.writeInt32(b.length);
    this.raw(b);
  }

  writeNullableBytes(b: Buffer | null): void {
    if (b === null) this.writeInt32(-1);
    else this.writeBytes(b);
  }

  writeCompactBytes(b: Buffer | null): void {
    if (b === null) throw new TypeError('null bytes where the version does not allow null');
    this.writeUnsignedVarint(b.length + 1);
    this.raw(b);
  }

  writeCompactNullableBytes(b: Buffer | null): void {
    if (b === null) this.buf[this.pos++] = 0;
    else this.writeCompactBytes(b);
  }

  /**
   * A records field: bytes in memory (`b`), or a range of a file (`inFile`, see file-records.ts) whose length prefix
   * is written here and whose bytes are left to the caller (hole()).
   */
  writeRecords(b: Buffer | null, inFile: FileRange | undefined, compact: boolean, nullable: boolean): void {
    if (inFile !== undefined) {
      if (compact) this.writeUnsignedVarint(inFile.length + 1);
      else this.writeInt32(inFile.length);
      if (inFile.length > 0) this.hole(inFile);
    } else if (compact) {
      if (nullable) this.writeCompactNullableBytes(b);
      else this.writeCompactBytes(b);
    } else if (nullable) this.writeNullableBytes(b);
    else this.writeBytes(b);
  }

  /** Where a file range's bytes go: a plain Writer has no place for them (PartsWriter in header.ts has). */
  protected hole(_range: FileRange): void {
    throw new TypeError('records in a file can only be encoded with encodeResponseParts');
  }

  writeRawBytes(b: Buffer): void {
    this.raw(b);
  }

  /** int32 count, -1 for null (`nullable` false and null is a caller bug). */
  writeArrayLength(a: readonly unknown[] | null, nullable: boolean): void {
    if (a === null) {
      if (!nullable) throw new TypeError('null array where the version does not allow null');
      this.writeInt32(-1);
    } else this.writeInt32(a.length);
  }

  writeCompactArrayLength(a: readonly unknown[] | null, nullable: boolean): void {
    if (a === null) {
      if (!nullable) throw new TypeError('null array where the version does not allow null');
      this.buf[this.pos++] = 0;
    } else this.writeUnsignedVarint(a.length + 1);
  }

  /**
   * Writes the unknown tagged fields from index `from` whose tag is below `belowTag`, so that known and unknown
   * fields come out in ascending tag order as they were read. Returns the index of the first one not written.
   */
  writeUnknownTaggedFields(fields: readonly UnknownTaggedField[], from: number, belowTag: number): number {
    let i = from;
    for (; i < fields.length && fields[i].tag < belowTag; i++) {
      this.writeUnsignedVarint(fields[i].tag);
      this.writeUnsignedVarint(fields[i].data.length);
      this.raw(fields[i].data);
    }
    return i;
  }
}

export function sizeOfString(s: string | null): number {
  return s === null ? 2 : 2 + Buffer.byteLength(s);
}

export function sizeOfCompactString(s: string | null): number {
  if (s === null) return 1;
  const len = Buffer.byteLength(s);
  return sizeOfUnsignedVarint(len + 1) + len;
}

export function sizeOfBytes(b: Buffer | null): number {
  return b === null ? 4 : 4 + b.length;
}

export function sizeOfCompactBytes(b: Buffer | null): number {
  return b === null ? 1 : sizeOfUnsignedVarint(b.length + 1) + b.length;
}

export function sizeOfCompactArrayLength(a: readonly unknown[] | null): number {
  return a === null ? 1 : sizeOfUnsignedVarint(a.length + 1);
}

export function sizeOfUnknownTaggedFields(fields: readonly UnknownTaggedField[]): number {
  let n = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    n += sizeOfUnsignedVarint(f.tag) + sizeOfUnsignedVarint(f.data.length) + f.data.length;
  }
  return n;
}
