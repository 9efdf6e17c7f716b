// Reader: bounds-checked big-endian reads over buf[pos..end), as Kafka's protocol encodes them. Every length and
// count is checked against the bytes remaining BEFORE anything is allocated, so a hostile 100-byte frame claiming
// 2^31 elements fails fast instead of allocating: an array element, tagged field or string byte takes at least one
// byte of input. Failures throw DecodeError (cheap to unwind out of generated code); public entry points turn it
// into a value with tryDecode. Byte fields come back as subarrays of the input (no copy).
//   string          int16 length, -1 = null          compact string   uvarint length+1, 0 = null
//   bytes/records   int32 length, -1 = null          compact bytes    uvarint length+1, 0 = null
//   array           int32 count, -1 = null           compact array    uvarint count+1, 0 = null
import { DecodeError } from './decode-error.ts';
import { uuidFromBytes } from './uuid.ts';
import { readUnsignedVarint, varintEnd } from './varint.ts';

/** A tagged field the schema does not know, kept as raw bytes so re-encoding is byte-exact. */
export interface UnknownTaggedField {
  tag: number;
  data: Buffer;
}

/** The shared empty byte field (a default value; never written into). */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

export class Reader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end: number = buf.length) {
    if (pos < 0 || end > buf.length || pos > end) throw new RangeError('Reader window outside the buffer');
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  /** Throws DecodeError unless n more bytes are available. */
  need(n: number): void {
    if (n > this.end - this.pos) throw new DecodeError(`need ${n} bytes, ${this.end - this.pos} left`, this.pos);
  }

  readInt8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  readBool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  readInt16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readUint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readUint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  readUuid(): string {
    this.need(16);
    const v = uuidFromBytes(this.buf, this.pos);
    this.pos += 16;
    return v;
  }

  readUnsignedVarint(): number {
    const v = readUnsignedVarint(this.buf, this.pos, this.end);
    this.pos = varintEnd;
    return v;
  }

  // --- lengths: -1 means null; every other value is checked against the bytes left ---

  private checkLength(len: number, nullable: boolean, start: number, what: string): number {
    if (len === -1) {
      if (nullable) return -1;
      throw new DecodeError(`null ${what} where not nullable`, start);
    }
    if (len < 0) throw new DecodeError(`negative ${what} length ${len}`, start);
    if (len > this.end - this.pos) {
      throw new DecodeError(`${what} length ${len} exceeds the ${this.end - this.pos} bytes left`, start);
    }
    return len;
  }

  private int16Length(nullable: boolean, what: string): number {
    const start = this.pos;
    return this.checkLength(this.readInt16(), nullable, start, what);
  }

  private int32Length(nullable: boolean, what: string): number {
    const start = this.pos;
    return this.checkLength(this.readInt32(), nullable, start, what);
  }

  private compactLength(nullable: boolean, what: string): number {
    const start = this.pos;
    return this.checkLength(this.readUnsignedVarint() - 1, nullable, start, what);
  }

  private utf8(len: number): string {
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('utf8', start, start + len);
  }

  private slice(len: number): Buffer {
    const start = this.pos;
    this.pos += len;
    return this.buf.subarray(start, start + len);
  }

  readString(): string {
    return this.utf8(this.int16Length(false, 'string'));
  }

  readNullableString(): string | null {
    const len = this.int16Length(true, 'string');
    return len === -1 ? null : this.utf8(len);
  }

  readCompactString(): string {
    return this.utf8(this.compactLength(false, 'string'));
  }

  readCompactNullableString(): string | null {
    const len = this.compactLength(true, 'string');
    return len === -1 ? null : this.utf8(len);
  }

  readBytes(): Buffer {
    return this.slice(this.int32Length(false, 'bytes'));
  }

  readNullableBytes(): Buffer | null {
    const len = this.int32Length(true, 'bytes');
    return len === -1 ? null : this.slice(len);
  }

  readCompactBytes(): Buffer {
    return this.slice(this.compactLength(false, 'bytes'));
  }

  readCompactNullableBytes(): Buffer | null {
    const len = this.compactLength(true, 'bytes');
    return len === -1 ? null : this.slice(len);
  }

  /** Raw bytes of a known length (tagged-field payloads). */
  readRawBytes(len: number): Buffer {
    this.need(len);
    return this.slice(len);
  }

  /** Array element count (int32); -1 (null) only when nullable. Count <= bytes left: each element takes >= 1 byte. */
  readArrayLength(nullable: boolean): number {
    return this.int32Length(nullable, 'array');
  }

  readCompactArrayLength(nullable: boolean): number {
    return this.compactLength(nullable, 'array');
  }

  /** Tagged-field count; each tagged field takes >= 2 bytes (tag and size). */
  readTaggedFieldCount(): number {
    const start = this.pos;
    const n = this.readUnsignedVarint();
    if (n * 2 > this.end - this.pos) throw new DecodeError(`${n} tagged fields exceed the bytes left`, start);
    return n;
  }

  /** Reads a tagged field's size and returns the position its payload must end at. */
  readTaggedFieldEnd(): number {
    const start = this.pos;
    const size = this.readUnsignedVarint();
    if (size > this.end - this.pos) throw new DecodeError(`tagged field size ${size} exceeds the bytes left`, start);
    return this.pos + size;
  }

  /** After reading a known tagged field: its payload must have been consumed exactly. */
  expectAt(pos: number): void {
    if (this.pos !== pos) throw new DecodeError(`tagged field ends at ${this.pos}, its size says ${pos}`, this.pos);
  }
}
