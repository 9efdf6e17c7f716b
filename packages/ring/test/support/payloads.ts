// Deterministic test payloads: entry `seq` of a run has a length and bytes derived from (seed, seq) alone, so the
// producing thread, the consuming thread and the checker each rebuild the expected bytes without sharing state.
// Bytes come from a 1 MiB pool of xorshift32 output; lengths are mostly small with a tail of large entries.

const POOL_BYTES = 1 << 20;

export interface PayloadSource {
  /** Payload length of entry `seq`: 0..maxLength. */
  lengthOf(seq: number): number;
  /** Payload of entry `seq` (a view into the pool: do not modify). */
  payloadOf(seq: number): Uint8Array;
}

function mix(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

export function payloadSource(seed: number, maxLength: number): PayloadSource {
  const pool = new Uint8Array(POOL_BYTES + maxLength);
  const words = new Uint32Array(pool.buffer, 0, pool.length >> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x = mix(x);
    words[i] = x;
  }
  const lengthOf = (seq: number): number => {
    const r = mix((seq * 0x9e3779b1) ^ seed) || 1;
    const bucket = r % 100;
    // 70% up to 256 B, 25% up to 4 KiB, 5% up to maxLength; 1 in 100 is empty.
    if (bucket === 0) return 0;
    if (bucket < 70) return r % 257;
    if (bucket < 95) return r % 4097;
    return r % (maxLength + 1);
  };
  return {
    lengthOf,
    payloadOf(seq: number): Uint8Array {
      const start = mix(seq ^ 0x5bd1e995 ^ seed) % POOL_BYTES;
      return pool.subarray(start, start + lengthOf(seq));
    },
  };
}
