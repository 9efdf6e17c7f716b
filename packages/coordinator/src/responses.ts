// Response bodies shaped for the request's version, and the error form of every API this package answers (used
// while the partition loads, COORDINATOR_LOAD_IN_PROGRESS, and after a failed append, NOT_COORDINATOR). Fields a
// version lacks are left at their defaults so the generated writers accept them.
import {
  type DeleteGroupsRequest,
  type DescribeGroupsRequest,
  defaultJoinGroupResponse,
  type JoinGroupResponse,
  type JoinGroupResponseMember,
  type LeaveGroupRequest,
  type OffsetCommitRequest,
  type OffsetFetchRequest,
  type SyncGroupResponse,
} from '@sluice/protocol';
import { EMPTY_BUFFER } from './classic-group.ts';

export const ApiKey = {
  OffsetCommit: 8,
  OffsetFetch: 9,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteGroups: 42,
  OffsetDelete: 47,
  TxnOffsetCommit: 28,
} as const;

/** Kafka's "not requested" value for authorizedOperations. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId?: number;
  protocolType?: string | null;
  protocolName?: string | null;
  leader?: string | null;
  skipAssignment?: boolean;
  members?: JoinGroupResponseMember[];
}

export function joinResponse(version: number, r: JoinResult): JoinGroupResponse {
  const resp = defaultJoinGroupResponse();
  resp.errorCode = r.errorCode;
  resp.memberId = r.memberId;
  resp.generationId = r.generationId ?? -1;
  resp.leader = r.leader ?? '';
  resp.members = r.members ?? [];
  // Before v7 the protocol name is not nullable and the type is absent (JoinGroupResponse constructor).
  resp.protocolName = version >= 7 ? (r.protocolName ?? null) : (r.protocolName ?? '');
  resp.protocolType = version >= 7 ? (r.protocolType ?? null) : null;
  resp.skipAssignment = version >= 9 ? (r.skipAssignment ?? false) : false;
  return resp;
}

export function syncResponse(
  version: number,
  errorCode: number,
  assignment: Buffer = EMPTY_BUFFER,
  protocolType: string | null = null,
  protocolName: string | null = null,
): SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    protocolType: version >= 5 ? protocolType : null,
    protocolName: version >= 5 ? protocolName : null,
    assignment,
  };
}

/** The response every member of a LeaveGroup gets when the whole request fails, or per-member results. */
export function leaveResponse(
  version: number,
  errorCode: number,
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[],
) {
  // v0-2 carry one member and no list: its error becomes the top-level error (LeaveGroupResponse constructor).
  if (version < 3) {
    const top = errorCode !== 0 ? errorCode : (members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode: top, members: [] };
  }
  return { throttleTimeMs: 0, errorCode, members };
}

export function describedGroupError(groupId: string, errorCode: number) {
  return {
    errorCode,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export { AUTHORIZED_OPERATIONS_OMITTED };

/** The error form of `apiKey`'s response for this request: every group, topic and partition gets `errorCode`. */
export function errorResponse(apiKey: number, version: number, request: unknown, errorCode: number): unknown {
  switch (apiKey) {
    case ApiKey.JoinGroup:
      return joinResponse(version, { errorCode, memberId: (request as { memberId: string }).memberId });
    case ApiKey.SyncGroup:
      return syncResponse(version, errorCode);
    case ApiKey.Heartbeat:
      return { throttleTimeMs: 0, errorCode };
    case ApiKey.LeaveGroup:
      return leaveResponse(
        version,
        errorCode,
        version >= 3 ? [] : [{ memberId: (request as LeaveGroupRequest).memberId, groupInstanceId: null, errorCode }],
      );
    case ApiKey.OffsetCommit:
    case ApiKey.TxnOffsetCommit: {
      const req = request as OffsetCommitRequest;
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
        })),
      };
    }
    case ApiKey.OffsetFetch:
      return offsetFetchError(version, request as OffsetFetchRequest, errorCode);
    case ApiKey.DescribeGroups:
      return {
        throttleTimeMs: 0,
        groups: (request as DescribeGroupsRequest).groups.map((g) => describedGroupError(g, errorCode)),
      };
    case ApiKey.ListGroups:
      return { throttleTimeMs: 0, errorCode, groups: [] };
    case ApiKey.DeleteGroups:
      return {
        throttleTimeMs: 0,
        results: (request as DeleteGroupsRequest).groupsNames.map((groupId) => ({ groupId, errorCode })),
      };
    case ApiKey.OffsetDelete:
      return { errorCode, throttleTimeMs: 0, topics: [] };
    default:
      throw new Error(`api key ${apiKey} is not a group coordinator API`);
  }
}

function offsetFetchError(version: number, req: OffsetFetchRequest, errorCode: number) {
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: 0,
      groups: req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })),
    };
  }
  // v0-1 have no top-level error: it goes on every requested partition (OffsetFetchResponse constructor).
  const topics =
    version < 2
      ? (req.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode,
          })),
        }))
      : [];
  return { throttleTimeMs: 0, topics, errorCode: version >= 2 ? errorCode : 0, groups: [] };
}
