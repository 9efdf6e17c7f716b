// The classic group coordinator's records in __consumer_offsets, in Kafka's formats (coordinator/*.json):
//   key   = int16 keyVersion + key struct; the key version names the record type:
//           0 or 1 OffsetCommitKey { group string, topic string, partition int32 }   (we write 1, as Kafka does)
//           2      GroupMetadataKey { group string }
//           3..15  KIP-848 consumer/share group records: not ours, skipped on load
//   value = int16 valueVersion + value struct, or null (a tombstone: the key is deleted; compaction drops it later)
//           OffsetCommitValue v3 { offset int64, leaderEpoch int32, metadata string, commitTimestamp int64 }, or v1
//             { offset, metadata, commitTimestamp, expireTimestamp int64 } when the commit carried a retention time
//             (OffsetCommit v2-4): Kafka's choice (GroupCoordinatorRecordHelpers.newOffsetCommitRecord)
//           GroupMetadataValue v3 { protocolType, generation, protocol?, leader?, currentStateTimestamp int64,
//             members [{ memberId, groupInstanceId?, clientId, clientHost, rebalanceTimeout, sessionTimeout,
//             subscription bytes, assignment bytes }] } (Kafka writes v3 since 2.3; v0-4 are all read)
// Strings and bytes use the non-flexible encodings (int16 / int32 lengths) in these versions.
import {
  type GroupMetadataValue,
  type OffsetCommitValue,
  Reader,
  readGroupMetadataKey,
  readGroupMetadataValue,
  readOffsetCommitKey,
  readOffsetCommitValue,
  sizeOfGroupMetadataKey,
  sizeOfGroupMetadataValue,
  sizeOfOffsetCommitKey,
  sizeOfOffsetCommitValue,
  Writer,
  writeGroupMetadataKey,
  writeGroupMetadataValue,
  writeOffsetCommitKey,
  writeOffsetCommitValue,
} from '@sluice/protocol';
import type { ClassicGroup, OffsetAndMetadata } from './classic-group.ts';

/** One record for the group's __consumer_offsets partition; value null is a tombstone. */
export interface CoordinatorRecord {
  key: Buffer;
  value: Buffer | null;
}

const OFFSET_COMMIT_KEY_VERSION = 1;
const GROUP_METADATA_KEY_VERSION = 2;
const GROUP_METADATA_VALUE_VERSION = 3;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;

function encode<T>(
  version: number,
  m: T,
  sizeOf: (m: T, v: number) => number,
  write: (w: Writer, m: T, v: number) => void,
) {
  const w = new Writer(2 + sizeOf(m, version));
  w.writeInt16(version);
  write(w, m, version);
  return w.buf;
}

export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return encode(OFFSET_COMMIT_KEY_VERSION, { group, topic, partition }, sizeOfOffsetCommitKey, writeOffsetCommitKey);
}

export function groupMetadataKey(group: string): Buffer {
  return encode(GROUP_METADATA_KEY_VERSION, { group }, sizeOfGroupMetadataKey, writeGroupMetadataKey);
}

export function offsetCommitRecord(
  group: string,
  topic: string,
  partition: number,
  o: OffsetAndMetadata,
): CoordinatorRecord {
  const withExpiry = o.expireTimestampMs >= 0;
  const value: OffsetCommitValue = {
    offset: o.committedOffset,
    leaderEpoch: withExpiry ? -1 : o.committedLeaderEpoch,
    metadata: o.metadata,
    commitTimestamp: BigInt(o.commitTimestampMs),
    expireTimestamp: withExpiry ? BigInt(o.expireTimestampMs) : -1n,
  };
  const version = withExpiry ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY : OFFSET_COMMIT_VALUE_VERSION;
  return {
    key: offsetCommitKey(group, topic, partition),
    value: encode(version, value, sizeOfOffsetCommitValue, writeOffsetCommitValue),
  };
}

export function offsetTombstone(group: string, topic: string, partition: number): CoordinatorRecord {
  return { key: offsetCommitKey(group, topic, partition), value: null };
}

/** The group as it stands: every member with its metadata for the selected protocol and its assignment. */
export function groupMetadataRecord(group: ClassicGroup): CoordinatorRecord {
  const value: GroupMetadataValue = {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.currentStateTimestampMs),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: group.metadataOf(m),
      assignment: m.assignment,
    })),
  };
  return {
    key: groupMetadataKey(group.groupId),
    value: encode(GROUP_METADATA_VALUE_VERSION, value, sizeOfGroupMetadataValue, writeGroupMetadataValue),
  };
}

export function groupTombstone(group: string): CoordinatorRecord {
  return { key: groupMetadataKey(group), value: null };
}

export type DecodedRecord =
  | { type: 'offset'; group: string; topic: string; partition: number; value: OffsetAndMetadata | null }
  | { type: 'group'; group: string; value: GroupMetadataValue | null }
  | { type: 'other'; keyVersion: number };

/** Decodes a record of the partition; throws on a malformed classic record (the log is corrupt: a bug or bad disk). */
export function decodeRecord(key: Buffer, value: Buffer | null): DecodedRecord {
  const kr = new Reader(key);
  const keyVersion = kr.readInt16();
  if (keyVersion === 0 || keyVersion === 1) {
    const k = readOffsetCommitKey(kr, keyVersion);
    if (value === null) return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: null };
    const vr = new Reader(value);
    const v = readOffsetCommitValue(vr, vr.readInt16());
    return {
      type: 'offset',
      group: k.group,
      topic: k.topic,
      partition: k.partition,
      value: {
        committedOffset: v.offset,
        committedLeaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestampMs: Number(v.commitTimestamp),
        expireTimestampMs: Number(v.expireTimestamp),
      },
    };
  }
  if (keyVersion === GROUP_METADATA_KEY_VERSION) {
    const k = readGroupMetadataKey(kr, keyVersion);
    if (value === null) return { type: 'group', group: k.group, value: null };
    const vr = new Reader(value);
    return { type: 'group', group: k.group, value: readGroupMetadataValue(vr, vr.readInt16()) };
  }
  return { type: 'other', keyVersion };
}
