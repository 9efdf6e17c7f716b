// GroupCoordinator: Kafka's classic group coordinator for the groups of ONE __consumer_offsets partition, as a
// deterministic state machine with no I/O. It runs on the shard that owns the partition (ARCHITECTURE.md §6).
//
// How the shard drives it:
//   const c = new GroupCoordinator({ config })              // starts in the loading state
//   for each record of the partition, in offset order:  c.loadRecord(key, value)   (value null = tombstone)
//   c.completeLoad(nowMs) -> Append | null                  // now serving; requests before this got
//                                                           //   COORDINATOR_LOAD_IN_PROGRESS
//   c.handle(apiKey, apiVersion, request, nowMs, respond, client) -> Append | null
//        request: the decoded body (generated types) of JoinGroup 11 v0-9, SyncGroup 14 v0-5, Heartbeat 12 v0-4,
//        LeaveGroup 13 v0-5, OffsetCommit 8 v0-9, OffsetFetch 9 v0-9, DescribeGroups 15 v0-5, ListGroups 16
//        v0-5, DeleteGroups 42 v0-2, OffsetDelete 47 v0, TxnOffsetCommit 28 v0-4 (txn-offsets.ts: its Append
//        carries producerId/producerEpoch and must be written as that producer's transactional batch).
//        `respond(body)` is called exactly once with the
//        response body for that version, maybe during this call, maybe much later (JoinGroup waits for the
//        rebalance; SyncGroup for the leader).
//   c.tick(nowMs) -> Append | null                          // timers; call at c.nextDeadline() or periodically
//   Append = { appendSeq, records: [{ key, value }] }: append these records to the partition as one batch, in
//        appendSeq order, and call c.onRecordsDurable(appendSeq) once they are fsync'd. A response leaves only
//        when every record appended before it (its own step's included) is durable, so a client never sees state
//        that a crash could lose. c.onAppendFailed(appendSeq) if the write failed: the in-memory state is ahead of
//        the log, so the coordinator answers everything waiting with NOT_COORDINATOR and refuses further
//        requests (NOT_COORDINATOR: clients look the coordinator up again); the shard then builds a new one from
//        the log. c.unload() does the same when the shard gives the partition up.
//   c.loadTxnRecord / c.loadTxnMarker (loading) and c.onTxnMarker (serving, once a COMMIT/ABORT marker on this
//        partition is durable): transactional offsets (txn-offsets.ts).
// State is applied when a step runs (not when its records become durable); since responses wait for the
// records and a failed append retires the whole coordinator, nobody observes state the log does not have.
// Owner: shard.

import { randomUUID } from 'node:crypto';
import type {
  DeleteGroupsRequest,
  DescribeGroupsRequest,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  ListGroupsRequest,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetFetchRequest,
  SyncGroupRequest,
  TxnOffsetCommitRequest,
} from '@sluice/protocol';
import type { ClassicGroup, Waiter } from './classic-group.ts';
import { type CoordinatorConfig, DEFAULT_COORDINATOR_CONFIG } from './coordinator-config.ts';
import { ErrorCode } from './error-codes.ts';
import { deleteGroups, describeGroups, listGroups } from './group-admin.ts';
import { type ClientInfo, joinGroup } from './join-group.ts';
import { applyLoadedRecord, finishLoad } from './load.ts';
import { heartbeat, leaveGroup, syncGroup } from './membership.ts';
import { expireOffsets, offsetCommit, offsetDelete, offsetFetch, type PendingTransactionalOffsets } from './offsets.ts';
import type { CoordinatorRecord } from './records.ts';
import { ApiKey, errorResponse } from './responses.ts';
import type { Runtime } from './runtime.ts';
import { TimerQueue } from './timer-queue.ts';
import { TxnOffsets } from './txn-offsets.ts';

export interface Append {
  appendSeq: number;
  records: CoordinatorRecord[];
  /** TxnOffsetCommit: the records form one transactional batch of this producer. */
  producerId?: bigint;
  producerEpoch?: number;
}

export interface GroupCoordinatorOptions {
  config?: Partial<CoordinatorConfig>;
  /** Member id factory (default `${prefix}-${randomUUID()}`, as Kafka); tests inject a counter. */
  newMemberId?: (prefix: string) => string;
  /** Transactional offsets seam for OffsetFetch requireStable (UNSTABLE_OFFSET_COMMIT); none by default. */
  pendingTransactionalOffsets?: PendingTransactionalOffsets;
}

export interface CommittedOffset {
  groupId: string;
  topic: string;
  partition: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

export interface GroupView {
  groupId: string;
  state: string;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  currentStateTimestampMs: number;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    metadata: Buffer;
    assignment: Buffer;
  }[];
  pendingMembers: number;
}

type Phase = 'loading' | 'active' | 'failed';

interface Queued {
  waitFor: number;
  waiter: Waiter;
  response: unknown;
}

const OFFSETS_EXPIRY_KEY = 'offsets-expiry';

export class GroupCoordinator {
  private phase: Phase = 'loading';
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly timers = new TimerQueue();
  private readonly config: CoordinatorConfig;
  private readonly pending: PendingTransactionalOffsets;
  private readonly rt: Runtime;
  private now = 0;
  private appendSeq = 0;
  private durableSeq = 0;
  private stepRecords: CoordinatorRecord[] = [];
  private stepReplies: { waiter: Waiter; response: unknown }[] = [];
  private readonly queue: Queued[] = [];
  private readonly txnOffsets = new TxnOffsets();
  private stepProducer: { producerId: bigint; producerEpoch: number } | null = null;

  constructor(options: GroupCoordinatorOptions = {}) {
    this.config = { ...DEFAULT_COORDINATOR_CONFIG, ...options.config };
    this.pending = options.pendingTransactionalOffsets ?? ((g, t, p) => this.txnOffsets.isPending(g, t, p));
    const newMemberId = options.newMemberId ?? ((prefix: string) => `${prefix}-${randomUUID()}`);
    const self = this;
    this.rt = {
      config: this.config,
      groups: this.groups,
      timers: this.timers,
      get now() {
        return self.now;
      },
      append: (record) => this.stepRecords.push(record),
      reply: (waiter, response) => this.stepReplies.push({ waiter, response }),
      newMemberId,
    };
  }

  get isLoading(): boolean {
    return this.phase === 'loading';
  }

  /** Replays one record of the partition (loading only). Records of other group types are skipped. */
  loadRecord(key: Buffer, value: Buffer | null): void {
    if (this.phase !== 'loading') throw new Error('loadRecord after completeLoad');
    applyLoadedRecord(this.groups, key, value);
  }

  /** Replays one record of a transactional (non-control) batch of `producerId` (loading only). */
  loadTxnRecord(producerId: bigint, producerEpoch: number, key: Buffer, value: Buffer | null): void {
    if (this.phase !== 'loading') throw new Error('loadTxnRecord after completeLoad');
    this.txnOffsets.loadRecord(producerId, producerEpoch, key, value);
  }

  /** Replays a COMMIT/ABORT marker of `producerId` (loading only). */
  loadTxnMarker(producerId: bigint, producerEpoch: number, committed: boolean): void {
    if (this.phase !== 'loading') throw new Error('loadTxnMarker after completeLoad');
    this.txnOffsets.complete(this.groups, producerId, producerEpoch, committed);
  }

  /** A COMMIT/ABORT marker of `producerId` on this partition is durable: its pending offsets apply or go. */
  onTxnMarker(producerId: bigint, producerEpoch: number, committed: boolean): void {
    if (this.phase !== 'active') return;
    this.txnOffsets.complete(this.groups, producerId, producerEpoch, committed);
  }

  /** Ends loading: loaded groups with members are Stable and their sessions start now. */
  completeLoad(nowMs: number): Append | null {
    if (this.phase !== 'loading') throw new Error('completeLoad twice');
    this.begin(nowMs);
    this.phase = 'active';
    finishLoad(this.rt);
    this.scheduleOffsetsExpiry();
    return this.end();
  }

  handle(
    apiKey: number,
    apiVersion: number,
    request: unknown,
    nowMs: number,
    respond: (response: unknown) => void,
    client: ClientInfo = { clientId: '', clientHost: '' },
  ): Append | null {
    const waiter: Waiter = { apiKey, apiVersion, request, respond };
    if (this.phase !== 'active') {
      const code = this.phase === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NOT_COORDINATOR;
      respond(errorResponse(apiKey, apiVersion, request, code));
      return null;
    }
    this.begin(nowMs);
    const rt = this.rt;
    const reply = (response: unknown) => rt.reply(waiter, response);
    switch (apiKey) {
      case ApiKey.JoinGroup:
        joinGroup(rt, request as JoinGroupRequest, waiter, client);
        break;
      case ApiKey.SyncGroup:
        syncGroup(rt, request as SyncGroupRequest, waiter);
        break;
      case ApiKey.Heartbeat:
        reply(heartbeat(rt, request as HeartbeatRequest));
        break;
      case ApiKey.LeaveGroup:
        reply(leaveGroup(rt, request as LeaveGroupRequest, apiVersion));
        break;
      case ApiKey.OffsetCommit:
        reply(offsetCommit(rt, request as OffsetCommitRequest, apiVersion));
        break;
      case ApiKey.OffsetFetch:
        reply(offsetFetch(rt, request as OffsetFetchRequest, apiVersion, this.pending));
        break;
      case ApiKey.DescribeGroups:
        reply(describeGroups(rt, request as DescribeGroupsRequest));
        break;
      case ApiKey.ListGroups:
        reply(listGroups(rt, request as ListGroupsRequest, apiVersion));
        break;
      case ApiKey.DeleteGroups:
        reply(deleteGroups(rt, request as DeleteGroupsRequest));
        break;
      case ApiKey.OffsetDelete:
        reply(offsetDelete(rt, request as OffsetDeleteRequest));
        break;
      case ApiKey.TxnOffsetCommit: {
        const req = request as TxnOffsetCommitRequest;
        reply(this.txnOffsets.commit(rt, req, apiVersion));
        this.stepProducer = { producerId: req.producerId, producerEpoch: req.producerEpoch };
        break;
      }
      default:
        throw new Error(`api key ${apiKey} is not a group coordinator API`);
    }
    return this.end();
  }

  /** Fires every timer due at `nowMs` (session, join, sync, pending-member and offset-expiry timers). */
  tick(nowMs: number): Append | null {
    if (this.phase !== 'active') return null;
    this.begin(nowMs);
    for (let fn = this.timers.popDue(this.now); fn !== null; fn = this.timers.popDue(this.now)) fn();
    return this.end();
  }

  /** When tick() next has something to do, or null. */
  nextDeadline(): number | null {
    return this.phase === 'active' ? this.timers.nextDeadline() : null;
  }

  /** The append `appendSeq` (and every earlier one) is durable: release the responses that waited for it. */
  onRecordsDurable(appendSeq: number): void {
    if (appendSeq > this.durableSeq) this.durableSeq = appendSeq;
    let released = 0;
    while (released < this.queue.length && this.queue[released].waitFor <= this.durableSeq) released++;
    for (const q of this.queue.splice(0, released)) q.waiter.respond(q.response);
  }

  /** The append failed: retire this coordinator (see the file comment). */
  onAppendFailed(_appendSeq: number): void {
    this.unload();
  }

  /** Answers everything waiting or parked with NOT_COORDINATOR and refuses further requests. */
  unload(): void {
    if (this.phase === 'failed') return;
    this.phase = 'failed';
    const fail = (w: Waiter) => w.respond(errorResponse(w.apiKey, w.apiVersion, w.request, ErrorCode.NOT_COORDINATOR));
    for (const q of this.queue.splice(0)) fail(q.waiter);
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        if (m.awaitingJoin !== null) fail(m.awaitingJoin);
        if (m.awaitingSync !== null) fail(m.awaitingSync);
        m.awaitingJoin = null;
        m.awaitingSync = null;
      }
    }
  }

  /** Committed offsets, for lag (log end offset - committed offset) in the CLI and metrics. */
  listCommittedOffsets(groupId?: string): CommittedOffset[] {
    const out: CommittedOffset[] = [];
    const groups =
      groupId === undefined ? [...this.groups.values()] : [this.groups.get(groupId)].filter((g) => g !== undefined);
    for (const g of groups) {
      for (const [topic, partitions] of g.offsets) {
        for (const [partition, o] of partitions) {
          out.push({
            groupId: g.groupId,
            topic,
            partition,
            committedOffset: o.committedOffset,
            committedLeaderEpoch: o.committedLeaderEpoch,
            metadata: o.metadata,
            commitTimestampMs: o.commitTimestampMs,
          });
        }
      }
    }
    return out;
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  describeGroup(groupId: string): GroupView | undefined {
    const g = this.groups.get(groupId);
    if (g === undefined) return undefined;
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      generationId: g.generationId,
      leaderId: g.leaderId,
      currentStateTimestampMs: g.currentStateTimestampMs,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        metadata: g.metadataOf(m),
        assignment: m.assignment,
      })),
      pendingMembers: g.pendingMembers.size,
    };
  }

  /** Sizes, for metrics and for tests that bound memory. */
  stats(): { groups: number; members: number; pendingMembers: number; timers: number; waitingResponses: number } {
    let members = 0;
    let pendingMembers = 0;
    for (const g of this.groups.values()) {
      members += g.members.size;
      pendingMembers += g.pendingMembers.size;
    }
    return {
      groups: this.groups.size,
      members,
      pendingMembers,
      timers: this.timers.size,
      waitingResponses: this.queue.length,
    };
  }

  private scheduleOffsetsExpiry(): void {
    this.timers.schedule(OFFSETS_EXPIRY_KEY, this.now + this.config.offsetsRetentionCheckIntervalMs, () => {
      expireOffsets(this.rt);
      this.scheduleOffsetsExpiry();
    });
  }

  private begin(nowMs: number): void {
    // The clock never runs backwards inside the coordinator, whatever the caller's clock does.
    if (nowMs > this.now) this.now = nowMs;
    this.stepRecords = [];
    this.stepReplies = [];
    this.stepProducer = null;
  }

  private end(): Append | null {
    let out: Append | null = null;
    if (this.stepRecords.length > 0) {
      this.appendSeq++;
      out = { appendSeq: this.appendSeq, records: this.stepRecords };
      if (this.stepProducer !== null) Object.assign(out, this.stepProducer);
    }
    this.stepProducer = null;
    const replies = this.stepReplies;
    this.stepRecords = [];
    this.stepReplies = [];
    for (const r of replies) {
      if (this.appendSeq <= this.durableSeq) r.waiter.respond(r.response);
      else this.queue.push({ waitFor: this.appendSeq, waiter: r.waiter, response: r.response });
    }
    return out;
  }
}
