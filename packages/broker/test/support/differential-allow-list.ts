// What the differential tests (differential-*.test.ts) allow to differ between Sluice and Apache Kafka 4.4, each
// entry with its reason, and normalize(), which removes exactly those fields before two responses are compared.
//   DELIBERATE_DIFFERENCES      fields dropped everywhere (ids, addresses, throttling, free-text messages, ...);
//   SITUATIONAL_DIFFERENCES     one situation of one API, normalized on both sides;
//   KNOWN_DIFFERENCES           not deliberate: reported and still to fix (delete the entry with the fix);
//   CONFIG_SOURCE_DIFFERENCES   DescribeConfigs sources per config name;
//   WIDER_VERSION_RANGES        APIs Sluice serves from a lower version than Kafka 4.4.
import type { DeleteTopicsResponse } from '@sluice/protocol';

export interface Difference {
  apiKey: number;
  name: string;
  reason: string;
  apply(response: unknown): void;
}

/**
 * Fields where Sluice differs from Kafka on purpose, removed from both sides before comparing. Keyed by field name
 * (anywhere in a response); the value says why.
 */
export const DELIBERATE_DIFFERENCES: Record<string, string> = {
  throttleTimeMs: 'Kafka may report a non-zero quota throttle; Sluice has no quotas yet and always says 0',
  errorMessage: 'free text: Kafka and Sluice word their messages differently; the error codes are compared',
  clusterId: 'each cluster has its own random id',
  topicId: 'topic ids are random UUIDs per cluster (checked separately to be non-zero)',
  host: 'each broker listens on its own address',
  port: 'each broker listens on its own port',
  nodeId: 'Kafka runs as node 1, Sluice as its configured node.id (leaders are compared as "this broker")',
  controllerId: 'as nodeId',
  leaderId: 'as nodeId (replaced by "self" when it is the answering broker)',
  replicaNodes: 'as nodeId (replaced by ["self"])',
  isrNodes: 'as nodeId (replaced by ["self"])',
  leaderEpoch:
    'Kafka reports the partition leader epoch (0 for a new topic); Sluice reports -1 until it serves ' +
    'OffsetForLeaderEpoch (handlers/metadata.ts), so clients do not validate positions by epoch',
  topicAuthorizedOperations: 'Kafka computes ACL bitfields; Sluice has no authorizer and says "unknown"',
  clusterAuthorizedOperations: 'as topicAuthorizedOperations',
  configs:
    "CreateTopics v5+ lists the created topic's configs: the sets differ (Kafka lists every broker-level topic " +
    'default incl. remote-storage keys); compared for retention.ms only',
  unknownTaggedFields: 'decoder bookkeeping',
};

/**
 * Differences in one situation only, each normalized away by `apply` (on both sides) before comparing.
 */
export const SITUATIONAL_DIFFERENCES: Difference[] = [
  {
    apiKey: 20,
    name: 'order of DeleteTopics results',
    reason: 'Kafka lists failed topics before deleted ones, Sluice keeps request order; clients match by name',
    apply(response) {
      const r = response as Partial<DeleteTopicsResponse>;
      r.responses?.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    },
  },
];

/**
 * Differences that are not deliberate: known, reported, still to fix in the broker. Each is normalized away like a
 * SITUATIONAL_DIFFERENCES entry so the rest of the response is still compared; delete the entry with the fix.
 */
export const KNOWN_DIFFERENCES: Difference[] = [];

/** Topic configs whose DescribeConfigs source and synonyms differ (values are still compared), with the reason. */
export const CONFIG_SOURCE_DIFFERENCES: Record<string, string> = {
  'min.insync.replicas':
    'Kafka 4.4 in KRaft mode describes it as STATIC_BROKER_CONFIG (3) with a static synonym even when ' +
    'server.properties does not set it (the controller keeps it as a cluster-level setting for ELR, KIP-966); ' +
    'Sluice, with no such setting, says DEFAULT_CONFIG (5). Same value, 1',
};

/**
 * APIs whose ApiVersions range Sluice starts lower than Kafka 4.4, on purpose: notes/protocol.md §c's policy is to
 * serve every version from 0 (or the lowest any target client sends), where Kafka 4 dropped the pre-2.1 versions
 * (KIP-896). Old clients (Sarama defaults, kafka-python probes, librdkafka fallbacks) still send them.
 */
export const WIDER_VERSION_RANGES: Record<number, string> = {
  1: 'Fetch v0-3 (magic 0/1 down-conversion for Sarama-default and fallback clients)',
  2: 'ListOffsets v0 (kafka-python 2.2 auto-detection, dpkp/kafka-python #2679)',
  8: 'OffsetCommit v0-1 (Sarama commits with v1)',
  9: 'OffsetFetch v0',
  19: 'CreateTopics v0-1 (terraform/pulumi providers, pulumi/pulumi-kafka #659)',
  20: 'DeleteTopics v0',
  23: 'OffsetForLeaderEpoch v0-1',
  32: 'DescribeConfigs v0',
  35: 'DescribeLogDirs v0',
};

/**
 * ApiVersions' own maximum: Kafka 4.4 serves ApiVersions v5, newer than Sluice's protocol schemas (a Kafka 3.9-era
 * snapshot, v0-4), so a too-new ApiVersions lists [0, 5] from Kafka and [0, 4] from Sluice.
 */
export const SLUICE_API_VERSIONS_MAX = 4;

export function normalize(value: unknown, selfNodeId: number): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, selfNodeId));
  if (Buffer.isBuffer(value)) return value;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'leaderId') out[k] = v === selfNodeId ? 'self' : v;
      else if (k === 'replicaNodes' || k === 'isrNodes')
        out[k] = (v as number[]).map((n) => (n === selfNodeId ? 'self' : n));
      else if (!(k in DELIBERATE_DIFFERENCES)) out[k] = normalize(v, selfNodeId);
    }
    return out;
  }
  return value;
}
