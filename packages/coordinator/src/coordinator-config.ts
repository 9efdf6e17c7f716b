// The group coordinator's settings, with Kafka's names (broker configs group.* and offsets.*) and defaults.
export interface CoordinatorConfig {
  /** group.min.session.timeout.ms: JoinGroup with a smaller session timeout gets INVALID_SESSION_TIMEOUT. */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms (30 minutes in Kafka). */
  groupMaxSessionTimeoutMs: number;
  /** group.max.size: members beyond it get GROUP_MAX_SIZE_REACHED. */
  groupMaxSize: number;
  /** group.initial.rebalance.delay.ms: first rebalance of an empty group waits this long, extended per joiner. */
  groupInitialRebalanceDelayMs: number;
  /** group.classic.new.member.join.timeout.ms (5 minutes): a new member's parked JoinGroup times out after this. */
  groupNewMemberJoinTimeoutMs: number;
  /** offsets.retention.minutes in ms (7 days): offsets of empty groups expire this long after the group emptied. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms (10 minutes): how often expiry runs. */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes: larger commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_COORDINATOR_CONFIG: CoordinatorConfig = {
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 2_147_483_647,
  groupInitialRebalanceDelayMs: 3_000,
  groupNewMemberJoinTimeoutMs: 300_000,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4_096,
};
