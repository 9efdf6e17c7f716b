// What the per-API handlers and the rebalance machinery share: the groups, the settings, the timers and the
// current step's outputs. A step is one call into the coordinator (a request, a timer tick); it appends records
// and queues responses, and the coordinator releases the responses once the records are durable.
// Owner: shard.
import type { ClassicGroup, Waiter } from './classic-group.ts';
import type { CoordinatorConfig } from './coordinator-config.ts';
import type { CoordinatorRecord } from './records.ts';
import type { TimerQueue } from './timer-queue.ts';

export interface Runtime {
  readonly config: CoordinatorConfig;
  readonly groups: Map<string, ClassicGroup>;
  readonly timers: TimerQueue;
  /** The clock of the current step (ms). */
  now: number;
  /** Adds a record to the current step's append. */
  append(record: CoordinatorRecord): void;
  /** Queues a response; it leaves once every record appended so far, this step's included, is durable. */
  reply(waiter: Waiter, response: unknown): void;
  /** A new member id: `${prefix}-${uuid}` (Kafka: client id, or group instance id for static members). */
  newMemberId(prefix: string): string;
}

export function heartbeatKey(groupId: string, memberId: string): string {
  return `heartbeat\u0000${groupId}\u0000${memberId}`;
}

export function joinKey(groupId: string): string {
  return `join\u0000${groupId}`;
}

export function syncKey(groupId: string): string {
  return `sync\u0000${groupId}`;
}
