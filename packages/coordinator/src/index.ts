// @sluice/coordinator: Kafka's classic group coordinator (JoinGroup/SyncGroup/Heartbeat/LeaveGroup, offsets,
// group administration) as a deterministic, I/O-free state machine for the shard that owns a __consumer_offsets
// partition, with that partition's record formats and the group -> partition mapping. See group-coordinator.ts.
export type { GroupState } from './classic-group.ts';
export { type CoordinatorConfig, DEFAULT_COORDINATOR_CONFIG } from './coordinator-config.ts';
export { ErrorCode } from './error-codes.ts';
export {
  type Append,
  type CommittedOffset,
  GroupCoordinator,
  type GroupCoordinatorOptions,
  type GroupView,
} from './group-coordinator.ts';
export type { ClientInfo } from './join-group.ts';
export type { PendingTransactionalOffsets } from './offsets.ts';
export { javaStringHashCode, partitionFor } from './partition-for.ts';
export { type CoordinatorRecord, type DecodedRecord, decodeRecord } from './records.ts';
export { ApiKey as GroupApiKey, errorResponse } from './responses.ts';
