// The cleaner's key -> latest offset map over the dirty section of a log (Kafka's SkimpyOffsetMap, without its
// hashing): one entry per distinct key, holding the largest offset at which that key was seen.
//
// Keys are stored exactly (as latin1 strings, one JS char per key byte, so V8 keeps them one-byte and compares them
// by content): no hash collisions, hence no risk of dropping a record whose key only hashed like a newer one (Kafka
// uses 16-byte MD5 digests and accepts that risk). Memory is bounded by an estimate, not measured: each entry costs
// its key length plus ENTRY_OVERHEAD_BYTES; when `bytes` passes `maxBytes` the map reports `full` and the cleaner
// stops indexing at the next segment boundary (the rest of the dirty section waits for the next pass).
//
// Owner: shard (one map per pass, dropped when the pass ends).

/** Estimated V8 cost of one Map entry with a short string key and a number value (hash slot + string header). */
export const ENTRY_OVERHEAD_BYTES = 64;

export class KeyOffsetMap {
  readonly maxBytes: number;
  private readonly offsets = new Map<string, number>();
  private estimatedBytes = 0;
  /** Largest offset put into the map; -1 when empty. */
  latestOffset = -1;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Records that `key` was seen at `offset`; offsets arrive in increasing order per key (later ones win). */
  put(key: Uint8Array, offset: number): void {
    const k = keyString(key);
    const previous = this.offsets.get(k);
    if (previous === undefined) this.estimatedBytes += k.length + ENTRY_OVERHEAD_BYTES;
    if (previous === undefined || offset > previous) this.offsets.set(k, offset);
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  /** The latest offset of `key`, or -1 when the key was not seen in the indexed section. */
  get(key: Uint8Array): number {
    return this.offsets.get(keyString(key)) ?? -1;
  }

  get size(): number {
    return this.offsets.size;
  }

  get bytes(): number {
    return this.estimatedBytes;
  }

  get full(): boolean {
    return this.estimatedBytes >= this.maxBytes;
  }

  clear(): void {
    this.offsets.clear();
    this.estimatedBytes = 0;
    this.latestOffset = -1;
  }
}

function keyString(key: Uint8Array): string {
  return Buffer.isBuffer(key)
    ? key.toString('latin1')
    : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}
