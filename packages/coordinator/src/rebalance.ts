// The classic rebalance protocol's machinery (Kafka's GroupMetadataManager, classic part): prepare a rebalance,
// complete the join phase (new generation, protocol, leader; JoinGroup answers), propagate the leader's assignment,
// and the timers: member heartbeats (session timeout; the new-member join timeout while a new member's JoinGroup
// is parked), the join phase (rebalance timeout; for an Empty group the initial delay, extended while members keep
// joining, up to the rebalance timeout) and the sync phase (members that do not SyncGroup within the rebalance
// timeout are removed). Every function runs inside a step of the coordinator and may append records.
// Owner: shard.
import type { ClassicGroup, ClassicGroupMember } from './classic-group.ts';
import { ErrorCode } from './error-codes.ts';
import { groupMetadataRecord } from './records.ts';
import { joinResponse, syncResponse } from './responses.ts';
import { heartbeatKey, joinKey, type Runtime, syncKey } from './runtime.ts';

export function rescheduleHeartbeat(
  rt: Runtime,
  group: ClassicGroup,
  member: ClassicGroupMember,
  timeoutMs: number = member.sessionTimeoutMs,
): void {
  const groupId = group.groupId;
  const memberId = member.memberId;
  rt.timers.schedule(heartbeatKey(groupId, memberId), rt.now + timeoutMs, () => expireHeartbeat(rt, groupId, memberId));
}

/** A KIP-394 pending member id lapses after the session timeout of the JoinGroup that created it. */
export function schedulePendingMemberExpiry(
  rt: Runtime,
  group: ClassicGroup,
  memberId: string,
  sessionTimeoutMs: number,
): void {
  const groupId = group.groupId;
  rt.timers.schedule(heartbeatKey(groupId, memberId), rt.now + sessionTimeoutMs, () =>
    expireHeartbeat(rt, groupId, memberId),
  );
}

/** Session (or join) timeout of a member or pending member: remove it unless a rebalance vouches for it. */
function expireHeartbeat(rt: Runtime, groupId: string, memberId: string): void {
  const group = rt.groups.get(groupId);
  if (group === undefined || group.state === 'Dead') return;
  if (group.isPendingMember(memberId)) {
    group.remove(memberId);
    if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) completeJoin(rt, group);
    return;
  }
  const member = group.members.get(memberId);
  if (member === undefined) return;
  // Members parked in a rebalance satisfy the heartbeat, except new ones (their JoinGroup timed out).
  const satisfied = !member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null);
  if (!satisfied) removeMemberAndUpdateGroup(rt, group, member);
}

/** Removes a member (answering its parked JoinGroup with UNKNOWN_MEMBER_ID) and rebalances what remains. */
export function removeMemberAndUpdateGroup(rt: Runtime, group: ClassicGroup, member: ClassicGroupMember): void {
  removeMember(rt, group, member);
  if (group.state === 'Stable' || group.state === 'CompletingRebalance') {
    maybePrepareRebalanceOrCompleteJoin(rt, group);
  } else if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) {
    completeJoin(rt, group);
  }
}

/** Drops a member and its timers; parked requests get UNKNOWN_MEMBER_ID. No rebalance. */
export function removeMember(rt: Runtime, group: ClassicGroup, member: ClassicGroupMember): void {
  if (member.awaitingJoin !== null) {
    rt.reply(
      member.awaitingJoin,
      joinResponse(member.awaitingJoin.apiVersion, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: '' }),
    );
    member.awaitingJoin = null;
  }
  if (member.awaitingSync !== null) {
    rt.reply(member.awaitingSync, syncResponse(member.awaitingSync.apiVersion, ErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync = null;
  }
  group.remove(member.memberId);
  rt.timers.cancel(heartbeatKey(group.groupId, member.memberId));
}

export function maybePrepareRebalanceOrCompleteJoin(rt: Runtime, group: ClassicGroup): void {
  if (group.canRebalance()) prepareRebalance(rt, group);
  else maybeCompleteJoinPhase(rt, group);
}

/** Completes the join phase if every member has rejoined, except during the initial (delayed) rebalance. */
export function maybeCompleteJoinPhase(rt: Runtime, group: ClassicGroup): void {
  if (group.state !== 'PreparingRebalance' || group.previousState === 'Empty') return;
  if (group.hasAllMembersJoined()) completeJoin(rt, group);
}

export function prepareRebalance(rt: Runtime, group: ClassicGroup): void {
  // Members waiting for an assignment must rejoin instead.
  if (group.state === 'CompletingRebalance')
    resetAndPropagateAssignmentWithError(rt, group, ErrorCode.REBALANCE_IN_PROGRESS);
  group.pendingSyncMembers.clear();
  rt.timers.cancel(syncKey(group.groupId));

  const isInitialRebalance = group.state === 'Empty';
  group.transitionTo('PreparingRebalance', rt.now);
  if (isInitialRebalance) {
    const delayMs = rt.config.groupInitialRebalanceDelayMs;
    const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
    scheduleInitialRebalance(rt, group, delayMs, remainingMs);
  } else if (group.hasAllMembersJoined()) {
    completeJoin(rt, group);
  } else {
    scheduleJoinTimeout(rt, group);
  }
}

function scheduleJoinTimeout(rt: Runtime, group: ClassicGroup): void {
  const groupId = group.groupId;
  rt.timers.schedule(joinKey(groupId), rt.now + group.rebalanceTimeoutMs(), () => {
    const g = rt.groups.get(groupId);
    if (g !== undefined && g.state === 'PreparingRebalance') completeJoin(rt, g);
  });
}

// The initial rebalance never completes early: each time its delay elapses with a new member added, it waits
// another min(delay, remaining), so a burst of joiners lands in one generation; the total is bounded by the
// rebalance timeout (`remaining` shrinks by the elapsed delay each round).
function scheduleInitialRebalance(rt: Runtime, group: ClassicGroup, delayMs: number, remainingMs: number): void {
  const groupId = group.groupId;
  rt.timers.schedule(joinKey(groupId), rt.now + delayMs, () => {
    const g = rt.groups.get(groupId);
    if (g === undefined || g.state !== 'PreparingRebalance') return;
    if (g.newMemberAdded && remainingMs !== 0) {
      g.newMemberAdded = false;
      const newDelayMs = Math.min(rt.config.groupInitialRebalanceDelayMs, remainingMs);
      const newRemainingMs = Math.max(remainingMs - delayMs, 0);
      scheduleInitialRebalance(rt, g, newDelayMs, newRemainingMs);
    } else {
      completeJoin(rt, g);
    }
  });
}

/**
 * Ends the join phase: dynamic members that did not rejoin are removed, the generation is bumped, and every
 * member's parked JoinGroup is answered (the leader gets all members' metadata). An emptied group is written.
 */
export function completeJoin(rt: Runtime, group: ClassicGroup): void {
  rt.timers.cancel(joinKey(group.groupId));
  group.newMemberAdded = false;
  for (const member of [...group.members.values()]) {
    if (member.awaitingJoin === null && member.groupInstanceId === null) removeMember(rt, group, member);
  }
  if (group.state === 'Dead') return;
  if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
    // Only static members that have not rejoined remain: wait another rebalance timeout for them (or for their
    // session timeouts to remove them).
    scheduleJoinTimeout(rt, group);
    return;
  }
  group.initNextGeneration(rt.now);
  if (group.state === 'Empty') {
    rt.append(groupMetadataRecord(group));
    return;
  }
  const leaderMembers = [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    metadata: group.metadataOf(m),
  }));
  for (const member of group.members.values()) {
    const waiter = member.awaitingJoin;
    member.awaitingJoin = null;
    if (waiter !== null) {
      rt.reply(
        waiter,
        joinResponse(waiter.apiVersion, {
          errorCode: ErrorCode.NONE,
          memberId: member.memberId,
          generationId: group.generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leader: group.leaderId,
          members: group.isLeader(member.memberId) ? leaderMembers : [],
        }),
      );
    }
    rescheduleHeartbeat(rt, group, member);
    member.isNew = false;
    group.pendingSyncMembers.add(member.memberId);
  }
  const groupId = group.groupId;
  const generationId = group.generationId;
  rt.timers.schedule(syncKey(groupId), rt.now + group.rebalanceTimeoutMs(), () =>
    expirePendingSync(rt, groupId, generationId),
  );
}

/** Members that did not send SyncGroup within the rebalance timeout are removed and the group rebalances. */
function expirePendingSync(rt: Runtime, groupId: string, generationId: number): void {
  const group = rt.groups.get(groupId);
  if (group === undefined || group.generationId !== generationId) return;
  if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
  if (group.pendingSyncMembers.size === 0) return;
  for (const memberId of [...group.pendingSyncMembers]) {
    const member = group.members.get(memberId);
    if (member !== undefined) removeMember(rt, group, member);
  }
  prepareRebalance(rt, group);
}

export function resetAndPropagateAssignmentWithError(rt: Runtime, group: ClassicGroup, errorCode: number): void {
  for (const m of group.members.values()) m.assignment = Buffer.alloc(0);
  propagateAssignment(rt, group, errorCode);
}

/** Answers every parked SyncGroup with the member's assignment (or the error) and restarts its session. */
export function propagateAssignment(rt: Runtime, group: ClassicGroup, errorCode: number): void {
  for (const member of group.members.values()) {
    const waiter = member.awaitingSync;
    if (waiter === null) continue;
    member.awaitingSync = null;
    const ok = errorCode === ErrorCode.NONE;
    rt.reply(
      waiter,
      syncResponse(
        waiter.apiVersion,
        errorCode,
        member.assignment,
        ok ? group.protocolType : null,
        ok ? group.protocolName : null,
      ),
    );
    rescheduleHeartbeat(rt, group, member);
  }
}
