// DescribeGroups (key 15) v0-5, ListGroups (key 16) v0-5 and DeleteGroups (key 42) v0-2 for the groups of this
// partition. DescribeGroups: an unknown group is reported as state Dead with no error (Kafka before v6); member
// metadata and assignments are shown only while Stable. ListGroups: v4+ filters by state (case-insensitive),
// v5+ by type ("classic" is the only type here). DeleteGroups: Empty groups only (NON_EMPTY_GROUP otherwise;
// unknown: GROUP_ID_NOT_FOUND); tombstones for every offset, then for the group.
// Owner: shard.
import type { DeleteGroupsRequest, DescribeGroupsRequest, ListGroupsRequest } from '@sluice/protocol';
import { EMPTY_BUFFER } from './classic-group.ts';
import { ErrorCode } from './error-codes.ts';
import { groupTombstone, offsetTombstone } from './records.ts';
import { AUTHORIZED_OPERATIONS_OMITTED, describedGroupError } from './responses.ts';
import type { Runtime } from './runtime.ts';

export function describeGroups(rt: Runtime, req: DescribeGroupsRequest) {
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => {
      const group = rt.groups.get(groupId);
      if (group === undefined) return { ...describedGroupError(groupId, ErrorCode.NONE), groupState: 'Dead' };
      const stable = group.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? group.metadataOf(m) : EMPTY_BUFFER,
          memberAssignment: stable ? m.assignment : EMPTY_BUFFER,
        })),
        authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    }),
  };
}

export function listGroups(rt: Runtime, req: ListGroupsRequest, apiVersion: number) {
  const states = apiVersion >= 4 ? req.statesFilter.map((s) => s.toLowerCase()) : [];
  const types = apiVersion >= 5 ? req.typesFilter.map((s) => s.toLowerCase()) : [];
  const groups = [];
  for (const group of rt.groups.values()) {
    if (group.state === 'Dead') continue;
    if (states.length > 0 && !states.includes(group.state.toLowerCase())) continue;
    if (types.length > 0 && !types.includes('classic')) continue;
    groups.push({
      groupId: group.groupId,
      protocolType: group.protocolType ?? '',
      groupState: group.state,
      groupType: 'classic',
    });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
}

export function deleteGroups(rt: Runtime, req: DeleteGroupsRequest) {
  return {
    throttleTimeMs: 0,
    results: req.groupsNames.map((groupId) => {
      const group = rt.groups.get(groupId);
      if (group === undefined || group.state === 'Dead') return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (group.state !== 'Empty') return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      for (const [topic, partitions] of group.offsets) {
        for (const partition of partitions.keys()) rt.append(offsetTombstone(groupId, topic, partition));
      }
      rt.append(groupTombstone(groupId));
      group.offsets.clear();
      group.transitionTo('Dead', rt.now);
      rt.groups.delete(groupId);
      return { groupId, errorCode: ErrorCode.NONE };
    }),
  };
}
