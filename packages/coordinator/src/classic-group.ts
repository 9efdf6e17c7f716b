// A classic consumer group (Kafka's ClassicGroup / ClassicGroupMember) and the committed offsets it owns: members,
// pending members (KIP-394 ids handed out but not yet used), static members by group.instance.id (KIP-345), the
// per-protocol vote count, leader, generation and state. Pure data plus the rules that need only the group itself
// (protocol support and selection, leader re-election, subscribed topics); timers and records live in rebalance.ts.
// Owner: shard.
import { Reader, readConsumerProtocolSubscription } from '@sluice/protocol';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Where a request's answer goes: the request (for its error form) and the version the answer is shaped for. */
export interface Waiter {
  apiKey: number;
  apiVersion: number;
  request: unknown;
  respond: (response: unknown) => void;
}

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface ClassicGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  /** In the member's order of preference. */
  protocols: MemberProtocol[];
  assignment: Buffer;
  awaitingJoin: Waiter | null;
  awaitingSync: Waiter | null;
  /** Joined during the current rebalance: times out after the new-member join timeout, not the session. */
  isNew: boolean;
}

export interface OffsetAndMetadata {
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** Set only by OffsetCommit v2-4 with a retention time (written as OffsetCommitValue v1); else -1. */
  expireTimestampMs: number;
}

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
/** Kafka's protocol type for consumers; only its metadata is decoded (subscribed topics for OffsetDelete/expiry). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

// Valid previous states per target state (ClassicGroupState): a transition from elsewhere is a bug.
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export class ClassicGroup {
  readonly groupId: string;
  state: GroupState = 'Empty';
  previousState: GroupState = 'Empty';
  /** When the group entered its current state (ms), -1 if unknown (old records). */
  currentStateTimestampMs: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** Insertion order = join order: the first remaining member becomes leader when the leader leaves. */
  readonly members = new Map<string, ClassicGroupMember>();
  readonly pendingMembers = new Set<string>();
  readonly staticMembers = new Map<string, string>();
  readonly pendingSyncMembers = new Set<string>();
  /** protocol name -> number of members supporting it. */
  private readonly supportedProtocols = new Map<string, number>();
  /** Set when a member joins an initial rebalance: the initial delay is extended once more. */
  newMemberAdded = false;
  /** Topics the members subscribe to (consumer protocol), null when unknown (then every topic counts). */
  subscribedTopics: Set<string> | null = null;
  /** topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<number, OffsetAndMetadata>>();

  constructor(groupId: string, nowMs: number) {
    this.groupId = groupId;
    this.currentStateTimestampMs = nowMs;
  }

  transitionTo(state: GroupState, nowMs: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.currentStateTimestampMs = nowMs;
  }

  /** Empty, Stable and CompletingRebalance may start a rebalance. */
  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin !== null) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin() && this.pendingMembers.size === 0;
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) if (m.rebalanceTimeoutMs > max) max = m.rebalanceTimeoutMs;
    return max;
  }

  add(member: ClassicGroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.vote(member.protocols, 1);
    this.pendingMembers.delete(member.memberId);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
  }

  /** Removes a member or a pending member; re-elects the leader (first remaining member) when it was the leader. */
  remove(memberId: string): void {
    if (this.pendingMembers.delete(memberId)) return;
    const removed = this.members.get(memberId);
    if (removed !== undefined) {
      this.members.delete(memberId);
      this.vote(removed.protocols, -1);
      if (removed.groupInstanceId !== null && this.staticMembers.get(removed.groupInstanceId) === memberId) {
        this.staticMembers.delete(removed.groupInstanceId);
      }
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingSyncMembers.delete(memberId);
  }

  /**
   * Error code for a request naming `memberId` (and `groupInstanceId`): FENCED_INSTANCE_ID when the instance id now
   * belongs to another member id, UNKNOWN_MEMBER_ID when the member is not in the group, else NONE (0).
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return 25; // UNKNOWN_MEMBER_ID
      return existing === memberId ? 0 : 82; // FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? 0 : 25;
  }

  /** A restarted static member takes over the old member's entry (assignment, leadership) under a new id. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const member = this.members.get(oldMemberId);
    if (member === undefined) throw new Error(`static member ${oldMemberId} is not in group ${this.groupId}`);
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return member;
  }

  updateProtocols(member: ClassicGroupMember, protocols: MemberProtocol[]): void {
    this.vote(member.protocols, -1);
    member.protocols = protocols;
    this.vote(protocols, 1);
  }

  private vote(protocols: readonly MemberProtocol[], delta: number): void {
    for (const p of protocols) {
      const n = (this.supportedProtocols.get(p.name) ?? 0) + delta;
      if (n === 0) this.supportedProtocols.delete(p.name);
      else this.supportedProtocols.set(p.name, n);
    }
  }

  /**
   * Whether a member with these protocols may join: an empty group takes any non-empty protocol list; otherwise
   * the protocol type must match and at least one protocol must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.state === 'Empty') return protocolType.length > 0 && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    for (const p of protocols) if (this.supportedProtocols.get(p.name) === this.members.size) return true;
    return false;
  }

  /**
   * The protocol for the next generation: among the protocols every member supports, each member votes for its
   * most preferred one and the most votes win. Kafka breaks ties by hash order; we break them by the order the
   * candidates first appear in the members' (join-ordered) preference lists, so the choice is deterministic.
   */
  selectProtocol(): string | null {
    const candidates: string[] = [];
    for (const m of this.members.values()) {
      for (const p of m.protocols) {
        if (this.supportedProtocols.get(p.name) === this.members.size && !candidates.includes(p.name)) {
          candidates.push(p.name);
        }
      }
    }
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.includes(p.name));
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = 0;
    for (const name of candidates) {
      const v = votes.get(name) ?? 0;
      if (v > bestVotes) {
        best = name;
        bestVotes = v;
      }
    }
    return best;
  }

  /** If the leader has not rejoined, hands leadership to a member that has. False when no member has rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader !== undefined && leader.awaitingJoin !== null) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin !== null) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** Bumps the generation after a join phase: CompletingRebalance with members, Empty without. */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', nowMs);
    } else {
      this.protocolName = null;
      this.subscribedTopics = null;
      this.transitionTo('Empty', nowMs);
    }
  }

  /** Metadata of a member for a protocol (the selected one by default). */
  metadataOf(member: ClassicGroupMember, protocolName: string | null = this.protocolName): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BUFFER;
  }

  /** Decodes the members' ConsumerProtocolSubscription; unknown (null) if the type differs or any fails. */
  computeSubscribedTopics(): void {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) {
      this.subscribedTopics = null;
      return;
    }
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const decoded = decodeSubscribedTopics(this.metadataOf(m));
      if (decoded === null) {
        this.subscribedTopics = null;
        return;
      }
      for (const t of decoded) topics.add(t);
    }
    this.subscribedTopics = topics;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null ? true : this.subscribedTopics.has(topic);
  }

  numOffsets(): number {
    let n = 0;
    for (const partitions of this.offsets.values()) n += partitions.size;
    return n;
  }
}

/** Topics of an embedded ConsumerProtocolSubscription (int16 version + struct), or null when it does not decode. */
export function decodeSubscribedTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    // Versions above 3 keep the v3 layout as a prefix (Kafka reads them as its newest known version).
    const version = Math.min(r.readInt16(), 3);
    if (version < 0) return null;
    return readConsumerProtocolSubscription(r, version).topics;
  } catch {
    return null;
  }
}

/** Whether a member's protocols equal these, name and metadata, in order (ClassicGroupMember.matches). */
export function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || !a[i].metadata.equals(b[i].metadata)) return false;
  }
  return true;
}
