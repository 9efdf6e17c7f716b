// Rebuilding the groups of a __consumer_offsets partition from its records (Kafka's replay on partition load).
// Records apply in log order; the last record of a key wins and a tombstone deletes it. An offset record for an
// unknown group creates it (Empty, no protocol type: a simple consumer's group). A GroupMetadataValue replaces the
// group's metadata and members (state Stable with members, else Empty); offsets are kept. A group tombstone
// deletes the group, unless offsets of it remain. After the last record, members' sessions start afresh.
// Owner: shard.
import { ClassicGroup } from './classic-group.ts';
import { prepareRebalance, rescheduleHeartbeat } from './rebalance.ts';
import { decodeRecord } from './records.ts';
import type { Runtime } from './runtime.ts';

export function applyLoadedRecord(groups: Map<string, ClassicGroup>, key: Buffer, value: Buffer | null): void {
  const record = decodeRecord(key, value);
  if (record.type === 'other') return;
  if (record.type === 'offset') {
    let group = groups.get(record.group);
    if (record.value === null) {
      const partitions = group?.offsets.get(record.topic);
      partitions?.delete(record.partition);
      if (partitions?.size === 0) group?.offsets.delete(record.topic);
      return;
    }
    if (group === undefined) {
      group = new ClassicGroup(record.group, -1);
      groups.set(record.group, group);
    }
    let partitions = group.offsets.get(record.topic);
    if (partitions === undefined) {
      partitions = new Map();
      group.offsets.set(record.topic, partitions);
    }
    partitions.set(record.partition, record.value);
    return;
  }
  const old = groups.get(record.group);
  if (record.value === null) {
    if (old === undefined) return;
    if (old.offsets.size === 0) {
      groups.delete(record.group);
      return;
    }
  }
  const group = new ClassicGroup(record.group, -1);
  if (old !== undefined) for (const [topic, partitions] of old.offsets) group.offsets.set(topic, partitions);
  groups.set(record.group, group);
  const v = record.value;
  if (v === null) return;
  group.protocolType = v.protocolType === '' ? null : v.protocolType;
  group.generationId = v.generation;
  group.protocolName = v.protocol;
  group.currentStateTimestampMs = Number(v.currentStateTimestamp);
  for (const m of v.members) {
    group.add({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeout,
      sessionTimeoutMs: m.sessionTimeout,
      protocolType: v.protocolType,
      protocols: v.protocol === null ? [] : [{ name: v.protocol, metadata: m.subscription }],
      assignment: m.assignment,
      awaitingJoin: null,
      awaitingSync: null,
      isNew: false,
    });
  }
  // add() sets the protocol type and leader from the first member; the record's values win.
  group.protocolType = v.protocolType === '' ? null : v.protocolType;
  group.leaderId = v.leader;
  if (group.members.size > 0) {
    group.state = 'Stable';
    group.previousState = 'CompletingRebalance';
  }
  group.computeSubscribedTopics();
}

/** Starts loaded members' sessions; a group over group.max.size rebalances so the surplus is dropped. */
export function finishLoad(rt: Runtime): void {
  for (const group of rt.groups.values()) {
    for (const member of group.members.values()) rescheduleHeartbeat(rt, group, member);
    if (group.members.size > rt.config.groupMaxSize && group.canRebalance()) prepareRebalance(rt, group);
  }
}
