// Varints as Kafka writes them (protobuf base-128, little-endian groups of 7 bits).
// - unsigned varint (uvarint): compact string/bytes/array lengths, tagged-field tags and sizes. At most 5 bytes (u32).
// - signed varint / varlong (zigzag): record-level fields of record batches v2. At most 5 / 10 bytes.
// Readers take (buf, pos) and report the next position through `varintEnd` to stay allocation-free; they throw
// DecodeError on truncation or an overlong encoding.
import { DecodeError } from './decode-error.ts';

/** Position just after the varint most recently read by any read*Varint* function of this module. */
export let varintEnd = 0;

export function readUnsignedVarint(buf: Uint8Array, pos: number, end: number = buf.length): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) throw new DecodeError('truncated varint', pos);
    const b = buf[pos++];
    if (i === 4 && b > 0x0f) throw new DecodeError('varint overflows 32 bits', pos - 1);
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      varintEnd = pos;
      return value;
    }
  }
  throw new DecodeError('varint longer than 5 bytes', pos);
}

/** Zigzag-decoded signed 32-bit varint. */
export function readVarint(buf: Uint8Array, pos: number, end: number = buf.length): number {
  const u = readUnsignedVarint(buf, pos, end);
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** Zigzag-decoded signed 64-bit varlong, as a bigint. */
export function readVarlong(buf: Uint8Array, pos: number, end: number = buf.length): bigint {
  const u = readUnsignedVarlong(buf, pos, end);
  return (u >> 1n) ^ -(u & 1n);
}

/** Zigzag-decoded signed 64-bit varlong as a number; throws DecodeError when outside the safe-integer range. */
export function readVarlongNumber(buf: Uint8Array, pos: number, end: number = buf.length): number {
  // Fast path: up to 7 bytes (49 bits) fits exactly in a double.
  let u = 0;
  const start = pos;
  for (let i = 0; i < 7; i++) {
    if (pos >= end) throw new DecodeError('truncated varlong', pos);
    const b = buf[pos++];
    u += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      varintEnd = pos;
      return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    }
  }
  const big = readVarlong(buf, start, end);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DecodeError('varlong outside the safe integer range', start);
  }
  return Number(big);
}

export function readUnsignedVarlong(buf: Uint8Array, pos: number, end: number = buf.length): bigint {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new DecodeError('truncated varlong', pos);
    const b = buf[pos++];
    if (i === 9 && b > 0x01) throw new DecodeError('varlong overflows 64 bits', pos - 1);
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) {
      varintEnd = pos;
      return value;
    }
  }
  throw new DecodeError('varlong longer than 10 bytes', pos);
}

export function sizeOfUnsignedVarint(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

export function zigzag32(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(zigzag32(value));
}

export function sizeOfUnsignedVarlong(value: bigint): number {
  let n = 1;
  while (value >= 0x80n) {
    value >>= 7n;
    n++;
  }
  return n;
}

export function sizeOfVarlong(value: bigint): number {
  return sizeOfUnsignedVarlong(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
}

/** Size of a zigzag varlong given as a safe integer number. */
export function sizeOfVarlongNumber(value: number): number {
  // Zigzag doubles the magnitude: past 2^52 the double arithmetic would round, so take the bigint path.
  if (value >= 2 ** 52 || value <= -(2 ** 52)) return sizeOfVarlong(BigInt(value));
  let u = value >= 0 ? value * 2 : -value * 2 - 1;
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Writes an unsigned varint (0 <= value < 2^32) at pos; returns the position after it. */
export function writeUnsignedVarint(buf: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  return writeUnsignedVarint(buf, pos, zigzag32(value));
}

export function writeUnsignedVarlong(buf: Uint8Array, pos: number, value: bigint): number {
  while (value >= 0x80n) {
    buf[pos++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  buf[pos++] = Number(value);
  return pos;
}

export function writeVarlong(buf: Uint8Array, pos: number, value: bigint): number {
  return writeUnsignedVarlong(buf, pos, BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
}

/** Writes a zigzag varlong given as a safe integer number. */
export function writeVarlongNumber(buf: Uint8Array, pos: number, value: number): number {
  if (value >= 2 ** 52 || value <= -(2 ** 52)) return writeVarlong(buf, pos, BigInt(value));
  let u = value >= 0 ? value * 2 : -value * 2 - 1;
  while (u >= 0x80) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
