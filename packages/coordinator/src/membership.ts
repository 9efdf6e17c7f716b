// SyncGroup (key 14) v0-5, Heartbeat (key 12) v0-4, LeaveGroup (key 13) v0-5 of the classic protocol.
// SyncGroup: the leader's assignment is stored (GroupMetadataValue) and handed to every member; followers' calls are
// parked until it arrives; v5+ checks protocol type/name (INCONSISTENT_GROUP_PROTOCOL). Heartbeat keeps a session
// alive and says REBALANCE_IN_PROGRESS while the group prepares a rebalance. LeaveGroup v0-2 names one member id;
// v3+ (KIP-345) a batch of {memberId, groupInstanceId}, where an empty member id removes a static member by
// instance id (administrative removal).
// Owner: shard.
import type { HeartbeatRequest, LeaveGroupRequest, SyncGroupRequest } from '@sluice/protocol';
import { type ClassicGroupMember, EMPTY_BUFFER, type Waiter } from './classic-group.ts';
import { ErrorCode } from './error-codes.ts';
import {
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  propagateAssignment,
  removeMember,
  rescheduleHeartbeat,
} from './rebalance.ts';
import { groupMetadataRecord } from './records.ts';
import { leaveResponse, syncResponse } from './responses.ts';
import { type Runtime, syncKey } from './runtime.ts';

export function syncGroup(rt: Runtime, req: SyncGroupRequest, waiter: Waiter): void {
  const fail = (errorCode: number) => rt.reply(waiter, syncResponse(waiter.apiVersion, errorCode));
  if (req.groupId === '') {
    fail(ErrorCode.INVALID_GROUP_ID);
    return;
  }
  const group = rt.groups.get(req.groupId);
  if (group === undefined) {
    fail(ErrorCode.UNKNOWN_MEMBER_ID);
    return;
  }
  if (group.state === 'Dead') {
    fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return;
  }
  const memberError = group.validateMember(req.memberId, req.groupInstanceId);
  if (memberError !== ErrorCode.NONE) {
    fail(memberError);
    return;
  }
  if (req.generationId !== group.generationId) {
    fail(ErrorCode.ILLEGAL_GENERATION);
    return;
  }
  if (
    (req.protocolType !== null && req.protocolType !== group.protocolType) ||
    (req.protocolName !== null && req.protocolName !== group.protocolName)
  ) {
    fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    return;
  }
  const member = group.members.get(req.memberId) as ClassicGroupMember;
  switch (group.state) {
    case 'PreparingRebalance':
      fail(ErrorCode.REBALANCE_IN_PROGRESS);
      return;
    case 'CompletingRebalance': {
      if (member.awaitingSync !== null && member.awaitingSync !== waiter) {
        rt.reply(member.awaitingSync, syncResponse(member.awaitingSync.apiVersion, ErrorCode.REBALANCE_IN_PROGRESS));
      }
      member.awaitingSync = waiter;
      markSynced(rt, group.groupId, req.memberId);
      if (group.isLeader(req.memberId)) {
        // Members the leader left out get an empty assignment; entries for unknown members are ignored.
        const assigned = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
        for (const m of group.members.values()) m.assignment = assigned.get(m.memberId) ?? EMPTY_BUFFER;
        group.transitionTo('Stable', rt.now);
        rt.append(groupMetadataRecord(group));
        propagateAssignment(rt, group, ErrorCode.NONE);
      }
      return;
    }
    case 'Stable':
      markSynced(rt, group.groupId, req.memberId);
      rescheduleHeartbeat(rt, group, member);
      rt.reply(
        waiter,
        syncResponse(waiter.apiVersion, ErrorCode.NONE, member.assignment, group.protocolType, group.protocolName),
      );
      return;
    default:
      fail(ErrorCode.UNKNOWN_MEMBER_ID);
      return;
  }
}

function markSynced(rt: Runtime, groupId: string, memberId: string): void {
  const group = rt.groups.get(groupId);
  if (group === undefined) return;
  if (group.pendingSyncMembers.delete(memberId) && group.pendingSyncMembers.size === 0)
    rt.timers.cancel(syncKey(groupId));
}

export function heartbeat(rt: Runtime, req: HeartbeatRequest): { throttleTimeMs: number; errorCode: number } {
  const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
  if (req.groupId === '') return answer(ErrorCode.INVALID_GROUP_ID);
  const group = rt.groups.get(req.groupId);
  if (group === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
  if (group.state === 'Dead') return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const memberError = group.validateMember(req.memberId, req.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return answer(memberError);
  if (req.generationId !== group.generationId) return answer(ErrorCode.ILLEGAL_GENERATION);
  if (group.state === 'Empty') return answer(ErrorCode.UNKNOWN_MEMBER_ID);
  rescheduleHeartbeat(rt, group, group.members.get(req.memberId) as ClassicGroupMember);
  return answer(group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE);
}

export function leaveGroup(rt: Runtime, req: LeaveGroupRequest, apiVersion: number) {
  const identities = apiVersion >= 3 ? req.members : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
  if (req.groupId === '') return leaveResponse(apiVersion, ErrorCode.INVALID_GROUP_ID, []);
  const group = rt.groups.get(req.groupId);
  const results = identities.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: 0 }));
  if (group === undefined) {
    for (const r of results) r.errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
    return leaveResponse(apiVersion, ErrorCode.NONE, results);
  }
  if (group.state === 'Dead') return leaveResponse(apiVersion, ErrorCode.COORDINATOR_NOT_AVAILABLE, []);
  let removedMembers = 0;
  let removedPending = 0;
  for (const r of results) {
    if (r.memberId === '') {
      // Removal by instance id alone (AdminClient removeMembersFromConsumerGroup).
      const existing = r.groupInstanceId === null ? undefined : group.staticMembers.get(r.groupInstanceId);
      if (existing === undefined) {
        r.errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
      } else {
        removeMember(rt, group, group.members.get(existing) as ClassicGroupMember);
        removedMembers++;
      }
    } else if (group.isPendingMember(r.memberId)) {
      group.remove(r.memberId);
      removedPending++;
    } else {
      r.errorCode = group.validateMember(r.memberId, r.groupInstanceId);
      if (r.errorCode === ErrorCode.NONE) {
        removeMember(rt, group, group.members.get(r.memberId) as ClassicGroupMember);
        removedMembers++;
      }
    }
  }
  if (removedMembers > 0) maybePrepareRebalanceOrCompleteJoin(rt, group);
  else if (removedPending > 0) maybeCompleteJoinPhase(rt, group);
  return leaveResponse(apiVersion, ErrorCode.NONE, results);
}
