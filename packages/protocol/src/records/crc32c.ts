// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batches v2 (bytes 21..end).
// Vectors: "123456789" -> 0xE3069283, 32 zero bytes -> 0x8A9136AA. Returns an unsigned 32-bit number.
// Two implementations with one answer:
// - crc32cUpdateJs, JavaScript slicing-by-8: eight 256-entry tables (8 KiB, built once at load) let each step fold
//   8 input bytes with 8 table lookups instead of 8 dependent shift/lookup rounds. Runs everywhere (browsers, tools).
// - the native addon's SSE4.2 version (native/src/crc32c.rs), loaded here with an optional require of
//   native/src/addon.ts: absent file, unbuilt addon, a browser bundle or SLUICE_NATIVE=0 all leave the JavaScript
//   twin in charge, so this package has no hard dependency on a built addon. The require is by relative path
//   within the repository (native/ sits beside packages/), so protocol declares no package dependency on native and
//   native's own loader (native/src/index.ts) can import this file without a cycle; node:module is reached through
//   process.getBuiltinModule, so this file has no static Node import for a bundler to trip on.
// crc32c/crc32cUpdate pick per call: below NATIVE_MIN_BYTES the JavaScript twin is faster, because a native call
// costs ~110 ns here while the twin does ~0.75 ns/byte (perf-reports/2026-11-24-native.md: crossover 160-192 B).
/** Inputs shorter than this are checksummed in JavaScript even when the addon is loaded (measured crossover). */
export const NATIVE_MIN_BYTES = 192;

type Crc32cUpdateFn = (crc: number, data: Uint8Array, start: number, end: number) => number;

function loadNative(): Crc32cUpdateFn | null {
  try {
    const nodeModule = globalThis.process?.getBuiltinModule?.('node:module');
    if (nodeModule === undefined) return null;
    const loader = nodeModule.createRequire(import.meta.url)('../../../../native/src/addon.ts') as {
      addon: { crc32cUpdate: Crc32cUpdateFn } | null;
    };
    return loader.addon?.crc32cUpdate ?? null;
  } catch {
    return null; // not in the repository, or no Node: the JavaScript twin serves
  }
}

/** The addon's crc32cUpdate when it loaded in this thread, else null. */
export const nativeCrc32cUpdate: Crc32cUpdateFn | null = loadNative();

const POLY = 0x82f63b78;
const TABLE = new Int32Array(8 * 256);

for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n];
  for (let t = 1; t < 8; t++) {
    c = TABLE[c & 0xff] ^ (c >>> 8);
    TABLE[t * 256 + n] = c;
  }
}

/** CRC-32C of data[start, end). */
export function crc32c(data: Uint8Array, start = 0, end: number = data.length): number {
  return crc32cUpdate(0, data, start, end);
}

/** Continues a CRC-32C: crc32cUpdate(crc32c(a), b) === crc32c(a ++ b). Native for long inputs when loaded. */
export function crc32cUpdate(crc: number, data: Uint8Array, start = 0, end: number = data.length): number {
  if (nativeCrc32cUpdate !== null && end - start >= NATIVE_MIN_BYTES) return nativeCrc32cUpdate(crc, data, start, end);
  return crc32cUpdateJs(crc, data, start, end);
}

/** The JavaScript twin of the native crc32cUpdate (same contract), used for short inputs and without the addon. */
export function crc32cUpdateJs(crc: number, data: Uint8Array, start = 0, end: number = data.length): number {
  const t = TABLE;
  let c = ~crc;
  let i = start;
  // Byte-wise until 8 bytes or fewer than 8 remain; the table loop reads little-endian 32-bit words from bytes.
  const fastEnd = end - 8;
  while (i <= fastEnd) {
    const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ c;
    const b = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    c =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + (b & 0xff)] ^
      t[512 + ((b >>> 8) & 0xff)] ^
      t[256 + ((b >>> 16) & 0xff)] ^
      t[b >>> 24];
    i += 8;
  }
  while (i < end) {
    c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  }
  return ~c >>> 0;
}
