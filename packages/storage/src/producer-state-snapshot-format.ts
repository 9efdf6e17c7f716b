// The content of a producer-state snapshot file (`<20-digit offset>.snapshot`, producer-state-snapshots.ts): the
// state of every producer after the batches below that offset. Big-endian, CRC-32C like Kafka's.
//
// Written: version 2 (Sluice's; Kafka's v1 keeps only each producer's last batch, which would make a retry of any
// of the 4 older in-flight batches after a restart OUT_OF_ORDER instead of a duplicate):
//   0   version            int16  = 2
//   2   crc                uint32 CRC-32C of bytes 6..end
//   6   entryCount         int32
//   10  entries, each 31 + 32 * batchCount bytes:
//       producerId int64, producerEpoch int16, coordinatorEpoch int32, currentTxnFirstOffset int64 (-1 = none),
//       lastTimestamp int64, batchCount int8 (0..5),
//       batchCount x { firstSeq int32, lastSeq int32, firstOffset int64, lastOffset int64, timestamp int64 }
//       (oldest batch first)
// Read as well: Kafka's version 1 (ProducerStateManager, Kafka 0.11+), so a data directory copied from Kafka keeps
// its producers: version int16 = 1, crc uint32 (CRC-32C of bytes 6..end), count int32, then 46-byte entries
//   producerId int64, producerEpoch int16, lastSequence int32, lastOffset int64, offsetDelta int32,
//   timestamp int64, coordinatorEpoch int32, currentTxnFirstOffset int64
// A file with another version, a bad CRC or a short body is refused (null): recovery then falls back to an older
// snapshot or to replaying the log.
import { crc32c } from '@sluice/protocol/records/crc32c.ts';
import type { BatchMetadata, ProducerStateEntry } from './producer-state.ts';

export const SNAPSHOT_VERSION = 2;
const KAFKA_SNAPSHOT_VERSION = 1;
const HEADER = 10;
const ENTRY_FIXED = 31;
const BATCH_SIZE = 32;
const KAFKA_ENTRY = 46;
const INT32_MAX = 0x7fffffff;

export function encodeProducerSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  let size = HEADER;
  for (const e of list) size += ENTRY_FIXED + BATCH_SIZE * e.batches.length;
  const out = Buffer.alloc(size);
  out.writeInt16BE(SNAPSHOT_VERSION, 0);
  out.writeInt32BE(list.length, 6);
  let pos = HEADER;
  for (const e of list) {
    out.writeBigInt64BE(BigInt(e.producerId), pos);
    out.writeInt16BE(e.producerEpoch, pos + 8);
    out.writeInt32BE(e.coordinatorEpoch, pos + 10);
    out.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), pos + 14);
    out.writeBigInt64BE(BigInt(e.lastTimestamp), pos + 22);
    out.writeInt8(e.batches.length, pos + 30);
    pos += ENTRY_FIXED;
    for (const b of e.batches) {
      out.writeInt32BE(b.firstSeq, pos);
      out.writeInt32BE(b.lastSeq, pos + 4);
      out.writeBigInt64BE(BigInt(b.firstOffset), pos + 8);
      out.writeBigInt64BE(BigInt(b.lastOffset), pos + 16);
      out.writeBigInt64BE(BigInt(b.timestamp), pos + 24);
      pos += BATCH_SIZE;
    }
  }
  out.writeUInt32BE(crc32c(out, 6, size), 2);
  return out;
}

/** The entries of a snapshot file, or null when it is not a valid version 1 or 2 snapshot. */
export function decodeProducerSnapshot(buf: Uint8Array): ProducerStateEntry[] | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER) return null;
  const version = b.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION && version !== KAFKA_SNAPSHOT_VERSION) return null;
  if (b.readUInt32BE(2) !== crc32c(b, 6, b.length)) return null;
  const count = b.readInt32BE(6);
  if (count < 0) return null;
  const out: ProducerStateEntry[] = [];
  let pos = HEADER;
  const n64 = (at: number) => Number(b.readBigInt64BE(at));
  for (let i = 0; i < count; i++) {
    if (version === KAFKA_SNAPSHOT_VERSION) {
      if (pos + KAFKA_ENTRY > b.length) return null;
      const lastSeq = b.readInt32BE(pos + 10);
      const lastOffset = n64(pos + 14);
      const offsetDelta = b.readInt32BE(pos + 22);
      const timestamp = n64(pos + 26);
      const firstSeq = lastSeq < offsetDelta ? INT32_MAX - (offsetDelta - lastSeq) + 1 : lastSeq - offsetDelta;
      const batches: BatchMetadata[] =
        lastSeq >= 0 ? [{ firstSeq, lastSeq, firstOffset: lastOffset - offsetDelta, lastOffset, timestamp }] : [];
      out.push({
        producerId: n64(pos),
        producerEpoch: b.readInt16BE(pos + 8),
        batches,
        lastTimestamp: timestamp,
        coordinatorEpoch: b.readInt32BE(pos + 34),
        currentTxnFirstOffset: n64(pos + 38),
      });
      pos += KAFKA_ENTRY;
      continue;
    }
    if (pos + ENTRY_FIXED > b.length) return null;
    const batchCount = b.readInt8(pos + 30);
    if (batchCount < 0 || pos + ENTRY_FIXED + batchCount * BATCH_SIZE > b.length) return null;
    const e: ProducerStateEntry = {
      producerId: n64(pos),
      producerEpoch: b.readInt16BE(pos + 8),
      coordinatorEpoch: b.readInt32BE(pos + 10),
      currentTxnFirstOffset: n64(pos + 14),
      lastTimestamp: n64(pos + 22),
      batches: [],
    };
    pos += ENTRY_FIXED;
    for (let j = 0; j < batchCount; j++) {
      e.batches.push({
        firstSeq: b.readInt32BE(pos),
        lastSeq: b.readInt32BE(pos + 4),
        firstOffset: n64(pos + 8),
        lastOffset: n64(pos + 16),
        timestamp: n64(pos + 24),
      });
      pos += BATCH_SIZE;
    }
    out.push(e);
  }
  return pos === b.length ? out : null;
}
