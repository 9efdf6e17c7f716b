// Test support: a coordinator driven by a fake clock whose appends are kept as the partition's log (durable at
// once unless `holdDurability`), responses encoded with the generated writers at the request's version (so a
// field a version lacks fails the test), and a simulated classic consumer that follows the client protocol.
import {
  defaultJoinGroupRequest,
  type JoinGroupResponse,
  type SyncGroupResponse,
  sizeOfConsumerProtocolSubscription,
  sizeOfDeleteGroupsResponse,
  sizeOfDescribeGroupsResponse,
  sizeOfHeartbeatResponse,
  sizeOfJoinGroupResponse,
  sizeOfLeaveGroupResponse,
  sizeOfListGroupsResponse,
  sizeOfOffsetCommitResponse,
  sizeOfOffsetDeleteResponse,
  sizeOfOffsetFetchResponse,
  sizeOfSyncGroupResponse,
  Writer,
  writeConsumerProtocolSubscription,
  writeDeleteGroupsResponse,
  writeDescribeGroupsResponse,
  writeHeartbeatResponse,
  writeJoinGroupResponse,
  writeLeaveGroupResponse,
  writeListGroupsResponse,
  writeOffsetCommitResponse,
  writeOffsetDeleteResponse,
  writeOffsetFetchResponse,
  writeSyncGroupResponse,
} from '@sluice/protocol';
import { type Append, type CoordinatorRecord, GroupCoordinator, type GroupCoordinatorOptions } from '../src/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: the generated writers take their own message types.
const WRITERS: Record<number, [(m: any, v: number) => number, (w: Writer, m: any, v: number) => void]> = {
  8: [sizeOfOffsetCommitResponse, writeOffsetCommitResponse],
  9: [sizeOfOffsetFetchResponse, writeOffsetFetchResponse],
  11: [sizeOfJoinGroupResponse, writeJoinGroupResponse],
  12: [sizeOfHeartbeatResponse, writeHeartbeatResponse],
  13: [sizeOfLeaveGroupResponse, writeLeaveGroupResponse],
  14: [sizeOfSyncGroupResponse, writeSyncGroupResponse],
  15: [sizeOfDescribeGroupsResponse, writeDescribeGroupsResponse],
  16: [sizeOfListGroupsResponse, writeListGroupsResponse],
  42: [sizeOfDeleteGroupsResponse, writeDeleteGroupsResponse],
  47: [sizeOfOffsetDeleteResponse, writeOffsetDeleteResponse],
};

export interface Box<T> {
  response: T | undefined;
  count: number;
}

export class Harness {
  coordinator: GroupCoordinator;
  now = 0;
  readonly log: CoordinatorRecord[] = [];
  holdDurability = false;
  private held: number[] = [];
  private ids = 0;

  constructor(options: GroupCoordinatorOptions = {}, load = true) {
    this.coordinator = new GroupCoordinator({ newMemberId: (p) => `${p}-${++this.ids}`, ...options });
    if (load) this.take(this.coordinator.completeLoad(this.now));
  }

  take(append: Append | null): void {
    if (append === null) return;
    this.log.push(...append.records);
    if (this.holdDurability) this.held.push(append.appendSeq);
    else this.coordinator.onRecordsDurable(append.appendSeq);
  }

  releaseDurability(): void {
    const last = this.held.pop();
    this.held = [];
    if (last !== undefined) this.coordinator.onRecordsDurable(last);
  }

  call<T = unknown>(apiKey: number, apiVersion: number, request: unknown, clientId = 'client'): Box<T> {
    const box: Box<T> = { response: undefined, count: 0 };
    const append = this.coordinator.handle(
      apiKey,
      apiVersion,
      request,
      this.now,
      (response) => {
        const [size, write] = WRITERS[apiKey];
        write(new Writer(size(response, apiVersion)), response, apiVersion);
        box.response = response as T;
        box.count++;
      },
      { clientId, clientHost: '/127.0.0.1' },
    );
    this.take(append);
    return box;
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const next = this.coordinator.nextDeadline();
      if (next === null || next > target) break;
      this.now = Math.max(this.now, next);
      this.take(this.coordinator.tick(this.now));
    }
    this.now = target;
    this.take(this.coordinator.tick(this.now));
  }

  rebuild(options: GroupCoordinatorOptions = {}): GroupCoordinator {
    const c = new GroupCoordinator(options);
    for (const r of this.log) c.loadRecord(r.key, r.value);
    c.completeLoad(this.now);
    return c;
  }
}

export function subscription(topics: string[]): Buffer {
  const m = { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null };
  const w = new Writer(2 + sizeOfConsumerProtocolSubscription(m, 0));
  w.writeInt16(0);
  writeConsumerProtocolSubscription(w, m, 0);
  return w.buf;
}

export function joinRequest(
  groupId: string,
  memberId: string,
  over: Partial<ReturnType<typeof defaultJoinGroupRequest>> = {},
) {
  return {
    ...defaultJoinGroupRequest(),
    groupId,
    memberId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['orders']) }],
    ...over,
  };
}

export function syncRequest(
  groupId: string,
  memberId: string,
  generationId: number,
  assignments: { memberId: string; assignment: Buffer }[] = [],
  groupInstanceId: string | null = null,
) {
  return { groupId, generationId, memberId, groupInstanceId, protocolType: null, protocolName: null, assignments };
}

export function heartbeatRequest(
  groupId: string,
  memberId: string,
  generationId: number,
  groupInstanceId: string | null = null,
) {
  return { groupId, generationId, memberId, groupInstanceId };
}

/** Round-robin of `partitions` partitions over the members, each encoded as a JSON list (opaque to the broker). */
export function assignRoundRobin(members: string[], partitions: number) {
  const sorted = [...members].sort();
  return sorted.map((memberId, i) => ({
    memberId,
    assignment: Buffer.from(
      JSON.stringify(Array.from({ length: partitions }, (_, p) => p).filter((p) => p % sorted.length === i)),
    ),
  }));
}

/** A classic consumer following the protocol: join (with the KIP-394 round trip), sync, heartbeat, rejoin. */
export class SimConsumer {
  memberId = '';
  generationId = -1;
  phase: 'idle' | 'joining' | 'syncing' | 'stable' | 'crashed' = 'idle';
  assignment: number[] = [];
  private nextHeartbeat = 0;

  readonly h: Harness;
  readonly groupId: string;
  readonly clientId: string;
  readonly version: number;
  readonly groupInstanceId: string | null;

  constructor(h: Harness, groupId: string, clientId: string, version = 5, groupInstanceId: string | null = null) {
    this.h = h;
    this.groupId = groupId;
    this.clientId = clientId;
    this.version = version;
    // Static membership needs JoinGroup v5+; an older client has no instance id anywhere.
    this.groupInstanceId = version >= 5 ? groupInstanceId : null;
  }

  join(): void {
    this.phase = 'joining';
    const req = joinRequest(this.groupId, this.memberId, { groupInstanceId: this.groupInstanceId });
    const box = this.h.call<JoinGroupResponse>(11, this.version, req, this.clientId);
    this.pendingJoin = box;
  }

  private pendingJoin: { response: JoinGroupResponse | undefined } | null = null;
  private pendingSync: { response: SyncGroupResponse | undefined } | null = null;

  crash(): void {
    this.phase = 'crashed';
    this.pendingJoin = null;
    this.pendingSync = null;
  }

  leave(): void {
    if (this.memberId !== '')
      this.h.call(13, 3, {
        groupId: this.groupId,
        memberId: '',
        members: [{ memberId: this.memberId, groupInstanceId: this.groupInstanceId, reason: null }],
      });
    this.crash();
    this.phase = 'idle';
    this.memberId = '';
  }

  /** Acts on whatever answers arrived; call after every clock step. */
  step(): void {
    if (this.phase === 'joining' && this.pendingJoin?.response !== undefined) {
      const r = this.pendingJoin.response;
      this.pendingJoin = null;
      if (r.errorCode === 79) {
        this.memberId = r.memberId;
        this.join();
        return;
      }
      if (r.errorCode !== 0) {
        if (r.errorCode === 25) this.memberId = '';
        this.join();
        return;
      }
      this.memberId = r.memberId;
      this.generationId = r.generationId;
      const assignments =
        r.leader === r.memberId && r.members.length > 0
          ? assignRoundRobin(
              r.members.map((m) => m.memberId),
              6,
            )
          : [];
      this.phase = 'syncing';
      this.pendingSync = this.h.call<SyncGroupResponse>(
        14,
        3,
        syncRequest(this.groupId, this.memberId, this.generationId, assignments, this.groupInstanceId),
        this.clientId,
      );
    }
    if (this.phase === 'syncing' && this.pendingSync?.response !== undefined) {
      const r = this.pendingSync.response;
      this.pendingSync = null;
      if (r.errorCode !== 0) {
        if (r.errorCode === 25) this.memberId = '';
        this.join();
        return;
      }
      this.assignment = r.assignment.length > 0 ? JSON.parse(r.assignment.toString()) : [];
      this.phase = 'stable';
      this.nextHeartbeat = this.h.now + 3_000;
    }
    if (this.phase === 'stable' && this.h.now >= this.nextHeartbeat) {
      this.nextHeartbeat = this.h.now + 3_000;
      const r = this.h.call<{ errorCode: number }>(
        12,
        3,
        heartbeatRequest(this.groupId, this.memberId, this.generationId, this.groupInstanceId),
      ).response;
      if (r !== undefined && r.errorCode !== 0) {
        if (r.errorCode === 25) this.memberId = '';
        this.join();
      }
    }
  }
}
