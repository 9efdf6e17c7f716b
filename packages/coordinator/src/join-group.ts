// JoinGroup (key 11) v0-9: a member joins or rejoins a classic group. v0 has no rebalance timeout (the session
// timeout stands in); v4+ hands a new dynamic member an id with MEMBER_ID_REQUIRED first (KIP-394, never to older
// versions: kafka-go loops on it); v5+ static members (group.instance.id, KIP-345): a restarted one replaces its
// old member id and, in a Stable group with the same selected protocol and metadata, gets its assignment back
// without a rebalance; v7+ protocol type in the response; v9 skipAssignment (KIP-814) for a static leader.
// The answer is parked until the join phase completes, except for errors and the no-rebalance paths.
// Owner: shard.
import type { JoinGroupRequest } from '@sluice/protocol';
import { ClassicGroup, type ClassicGroupMember, EMPTY_BUFFER, sameProtocols, type Waiter } from './classic-group.ts';
import { ErrorCode } from './error-codes.ts';
import {
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  prepareRebalance,
  rescheduleHeartbeat,
  schedulePendingMemberExpiry,
} from './rebalance.ts';
import { groupMetadataRecord } from './records.ts';
import { joinResponse, syncResponse } from './responses.ts';
import { heartbeatKey, type Runtime } from './runtime.ts';

export interface ClientInfo {
  clientId: string;
  clientHost: string;
}

export function joinGroup(rt: Runtime, req: JoinGroupRequest, waiter: Waiter, client: ClientInfo): void {
  const fail = (errorCode: number, memberId = req.memberId) =>
    rt.reply(waiter, joinResponse(waiter.apiVersion, { errorCode, memberId }));
  if (req.groupId === '') {
    fail(ErrorCode.INVALID_GROUP_ID);
    return;
  }
  if (
    req.sessionTimeoutMs < rt.config.groupMinSessionTimeoutMs ||
    req.sessionTimeoutMs > rt.config.groupMaxSessionTimeoutMs
  ) {
    fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    return;
  }
  const isUnknownMember = req.memberId === '';
  let group = rt.groups.get(req.groupId);
  const isNewGroup = group === undefined;
  if (group === undefined) {
    if (!isUnknownMember) {
      fail(ErrorCode.UNKNOWN_MEMBER_ID);
      return;
    }
    group = new ClassicGroup(req.groupId, rt.now);
    rt.groups.set(req.groupId, group);
  }
  if (!acceptJoiningMember(rt, group, req.memberId)) {
    group.remove(req.memberId);
    fail(ErrorCode.GROUP_MAX_SIZE_REACHED, '');
  } else if (group.state === 'Dead') {
    fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  } else if (!group.supportsProtocols(req.protocolType, req.protocols)) {
    fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  } else if (isUnknownMember) {
    joinNewMember(rt, group, req, waiter, client);
  } else {
    joinExistingMember(rt, group, req, waiter, client);
  }
  // A group created by a request that added nobody is not kept (Kafka writes an empty record instead).
  if (isNewGroup && group.members.size === 0 && group.pendingMembers.size === 0) rt.groups.delete(req.groupId);
}

function acceptJoiningMember(rt: Runtime, group: ClassicGroup, memberId: string): boolean {
  const max = rt.config.groupMaxSize;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance': {
      // Awaiting members count here: the group may exceed a lowered max size until this rebalance trims it.
      const member = group.members.get(memberId);
      return (member !== undefined && member.awaitingJoin !== null) || group.numAwaitingJoin() < max;
    }
    default:
      return group.hasMember(memberId) || group.members.size < max;
  }
}

function joinNewMember(
  rt: Runtime,
  group: ClassicGroup,
  req: JoinGroupRequest,
  waiter: Waiter,
  client: ClientInfo,
): void {
  const instanceId = req.groupInstanceId;
  const newMemberId = rt.newMemberId(instanceId ?? client.clientId);
  if (instanceId !== null) {
    const existing = group.staticMembers.get(instanceId);
    if (existing !== undefined) updateStaticMember(rt, group, req, waiter, existing, newMemberId);
    else addMemberAndRebalance(rt, group, req, waiter, client, newMemberId);
  } else if (waiter.apiVersion >= 4) {
    group.pendingMembers.add(newMemberId);
    // Pending ids expire after the session timeout if never used (librdkafka can leave one behind).
    schedulePendingMemberExpiry(rt, group, newMemberId, req.sessionTimeoutMs);
    rt.reply(
      waiter,
      joinResponse(waiter.apiVersion, { errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: newMemberId }),
    );
  } else {
    addMemberAndRebalance(rt, group, req, waiter, client, newMemberId);
  }
}

function joinExistingMember(
  rt: Runtime,
  group: ClassicGroup,
  req: JoinGroupRequest,
  waiter: Waiter,
  client: ClientInfo,
): void {
  const memberId = req.memberId;
  if (group.isPendingMember(memberId)) {
    // Pending ids are only handed to dynamic members; a static id here is a confused client.
    if (req.groupInstanceId !== null) {
      rt.reply(waiter, joinResponse(waiter.apiVersion, { errorCode: ErrorCode.INVALID_REQUEST, memberId }));
      return;
    }
    addMemberAndRebalance(rt, group, req, waiter, client, memberId);
    return;
  }
  const error = group.validateMember(memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) {
    rt.reply(waiter, joinResponse(waiter.apiVersion, { errorCode: error, memberId }));
    return;
  }
  const member = group.members.get(memberId) as ClassicGroupMember;
  const unchanged = sameProtocols(member.protocols, req.protocols);
  const currentGeneration = (withMembers: boolean) =>
    rt.reply(
      waiter,
      joinResponse(waiter.apiVersion, {
        errorCode: ErrorCode.NONE,
        memberId,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId,
        members: withMembers ? leaderMembers(group) : [],
      }),
    );
  switch (group.state) {
    case 'PreparingRebalance':
      updateMemberAndRebalance(rt, group, member, req, waiter);
      return;
    case 'CompletingRebalance':
      // Same metadata: it probably lost the JoinGroup answer; give it the current generation again.
      if (unchanged) {
        currentGeneration(group.isLeader(memberId));
        return;
      }
      updateMemberAndRebalance(rt, group, member, req, waiter);
      return;
    case 'Stable':
      // The leader rejoining forces a rebalance (topic metadata changes reach the assignor that way).
      if (group.isLeader(memberId) || !unchanged) {
        updateMemberAndRebalance(rt, group, member, req, waiter);
        return;
      }
      currentGeneration(false);
      return;
    default:
      rt.reply(waiter, joinResponse(waiter.apiVersion, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId }));
  }
}

export function leaderMembers(group: ClassicGroup) {
  return [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    metadata: group.metadataOf(m),
  }));
}

function setAwaitingJoin(rt: Runtime, member: ClassicGroupMember, waiter: Waiter): void {
  // A second JoinGroup while one is parked (a client retry): answer the first so its connection is not stuck.
  if (member.awaitingJoin !== null && member.awaitingJoin !== waiter) {
    rt.reply(
      member.awaitingJoin,
      joinResponse(member.awaitingJoin.apiVersion, {
        errorCode: ErrorCode.REBALANCE_IN_PROGRESS,
        memberId: member.memberId,
      }),
    );
  }
  member.awaitingJoin = waiter;
}

function addMemberAndRebalance(
  rt: Runtime,
  group: ClassicGroup,
  req: JoinGroupRequest,
  waiter: Waiter,
  client: ClientInfo,
  memberId: string,
): void {
  const member: ClassicGroupMember = {
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: client.clientId,
    clientHost: client.clientHost,
    rebalanceTimeoutMs: waiter.apiVersion === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
    assignment: EMPTY_BUFFER,
    awaitingJoin: waiter,
    awaitingSync: null,
    isNew: true,
  };
  if (group.state === 'PreparingRebalance' && group.previousState === 'Empty') group.newMemberAdded = true;
  group.add(member);
  // A new member cannot heartbeat while its JoinGroup is parked; it gets the (longer) new-member join timeout.
  rescheduleHeartbeat(rt, group, member, rt.config.groupNewMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(rt, group);
}

function updateMemberAndRebalance(
  rt: Runtime,
  group: ClassicGroup,
  member: ClassicGroupMember,
  req: JoinGroupRequest,
  waiter: Waiter,
): void {
  updateMember(group, member, req, waiter.apiVersion);
  setAwaitingJoin(rt, member, waiter);
  maybePrepareRebalanceOrCompleteJoin(rt, group);
}

function updateMember(
  group: ClassicGroup,
  member: ClassicGroupMember,
  req: JoinGroupRequest,
  apiVersion: number,
): void {
  group.updateProtocols(
    member,
    req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
  );
  member.rebalanceTimeoutMs = apiVersion === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
  member.sessionTimeoutMs = req.sessionTimeoutMs;
}

/**
 * A static member rejoining with a new member id (it restarted). The old id is fenced: its parked requests get
 * FENCED_INSTANCE_ID and later requests with it too. In a Stable group whose selected protocol and this member's
 * metadata are unchanged the member gets the current generation back with no rebalance (Kafka checks only the
 * selected protocol; we also rebalance when the metadata changed, so a new subscription reaches the assignor).
 */
function updateStaticMember(
  rt: Runtime,
  group: ClassicGroup,
  req: JoinGroupRequest,
  waiter: Waiter,
  oldMemberId: string,
  newMemberId: string,
): void {
  const instanceId = req.groupInstanceId as string;
  const currentLeader = group.leaderId;
  const old = group.members.get(oldMemberId) as ClassicGroupMember;
  if (old.awaitingJoin !== null) {
    rt.reply(
      old.awaitingJoin,
      joinResponse(old.awaitingJoin.apiVersion, { errorCode: ErrorCode.FENCED_INSTANCE_ID, memberId: oldMemberId }),
    );
    old.awaitingJoin = null;
  }
  if (old.awaitingSync !== null) {
    rt.reply(old.awaitingSync, syncResponse(old.awaitingSync.apiVersion, ErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync = null;
  }
  const previousMetadata = group.metadataOf(old);
  rt.timers.cancel(heartbeatKey(group.groupId, oldMemberId));
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
  rescheduleHeartbeat(rt, group, member);
  updateMember(group, member, req, waiter.apiVersion);
  member.awaitingJoin = waiter;

  if (group.state === 'Stable') {
    const sameSelection = (group.protocolName ?? '') === group.selectProtocol();
    if (sameSelection && previousMetadata.equals(group.metadataOf(member))) {
      member.awaitingJoin = null;
      rt.append(groupMetadataRecord(group));
      const base = {
        errorCode: ErrorCode.NONE,
        memberId: newMemberId,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
      };
      if (waiter.apiVersion >= 9) {
        const isLeader = group.isLeader(newMemberId);
        rt.reply(
          waiter,
          joinResponse(waiter.apiVersion, {
            ...base,
            leader: group.leaderId,
            skipAssignment: isLeader,
            members: isLeader ? leaderMembers(group) : [],
          }),
        );
      } else {
        // The old leader id: a restarted leader must not think it leads a Stable group (its assignment would not
        // be propagated), so it syncs as a follower and gets its previous assignment.
        rt.reply(waiter, joinResponse(waiter.apiVersion, { ...base, leader: currentLeader }));
      }
    } else {
      maybePrepareRebalanceOrCompleteJoin(rt, group);
    }
  } else if (group.state === 'CompletingRebalance') {
    // The leader may already be assigning to the old id: start over.
    prepareRebalance(rt, group);
  } else {
    maybeCompleteJoinPhase(rt, group);
  }
}
