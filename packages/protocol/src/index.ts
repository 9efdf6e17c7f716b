// @sluice/protocol: Kafka's wire protocol. Generated message codecs (one module per Kafka JSON schema, every
// version), the API-key table, header rules and frame entry points, the primitives they are built on, record batches
// (magic 2 and the magic 0/1 message sets of old clients), CRC32C, compression and framing. The field descriptors in
// ./generated/schemas.ts (for tests and tools) are not re-exported here: the broker never needs them at run time.

export * from './framing.ts';
export * from './generated/index.ts';
export * from './header.ts';
export { type Decoded, DecodeError, tryDecode } from './primitives/decode-error.ts';
export {
  type FileRange,
  type FramePart,
  type FrameParts,
  sizeOfRecords,
} from './primitives/file-records.ts';
export { EMPTY_BYTES, Reader, type UnknownTaggedField } from './primitives/reader.ts';
export { isUuid, ONE_UUID, randomUuid, uuidFromBytes, writeUuidBytes, ZERO_UUID } from './primitives/uuid.ts';
export * from './primitives/varint.ts';
export * from './primitives/writer.ts';
export * from './records/compression.ts';
export * from './records/control-record.ts';
export * from './records/crc32c.ts';
export * from './records/message-set.ts';
export * from './records/record-batch.ts';
