// Compression codecs of record batches: attributes bits 0-2 (magic 2) and of magic 0/1 messages (bits 0-1 for
// magic 0/1 codecs 0-3; zstd (4) exists only for magic 2, KIP-110). Values are Kafka's ids on the wire.

export type CompressionType = 0 | 1 | 2 | 3 | 4;
export const COMPRESSION_NONE = 0;
export const COMPRESSION_GZIP = 1;
export const COMPRESSION_SNAPPY = 2;
export const COMPRESSION_LZ4 = 3;
export const COMPRESSION_ZSTD = 4;

/** Kafka's names for the codecs (topic config `compression.type`, producer `compression.type`). */
export const COMPRESSION_NAMES: readonly string[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
