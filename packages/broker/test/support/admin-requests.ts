// Admin request bodies the admin tests send (against Sluice and, in the differential test, real Kafka), at the
// versions Kafka 4.x's Java admin client uses: DescribeConfigs v4, AlterConfigs v2, IncrementalAlterConfigs v1,
// CreatePartitions v3, DeleteRecords v2, OffsetForLeaderEpoch v4, DescribeCluster v1, DescribeLogDirs v4,
// DescribeTopicPartitions v0, CreateTopics v7, Fetch v12 and ListOffsets v7.
import type {
  AlterConfigsResponse,
  CreatePartitionsResponse,
  CreateTopicsResponse,
  DeleteRecordsResponse,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResult,
  FetchResponse,
  FetchResponsePartitionData,
  IncrementalAlterConfigsResponse,
  ListOffsetsResponse,
  OffsetForLeaderEpochResponse,
} from '@sluice/protocol';
import { fetchBody } from './requests.ts';
import type { WireClient } from './wire-client.ts';

export const TOPIC = 2;
export const BROKER = 4;
export const SET = 0;
export const DELETE = 1;
export const APPEND = 2;
export const SUBTRACT = 3;

export async function createTopicWith(
  c: WireClient,
  name: string,
  numPartitions: number,
  configs: Record<string, string> = {},
): Promise<CreateTopicsResponse['topics'][number]> {
  const r = await c.send<CreateTopicsResponse>(19, 7, {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  return r.topics[0];
}

export async function describeConfigs(
  c: WireClient,
  resourceType: number,
  resourceName: string,
  keys: string[] | null = null,
  version = 4,
): Promise<DescribeConfigsResponseDescribeConfigsResult> {
  const r = await c.send<DescribeConfigsResponse>(32, version, {
    resources: [{ resourceType, resourceName, configurationKeys: keys }],
    includeSynonyms: version >= 1,
    includeDocumentation: version >= 3,
  });
  return r.results[0];
}

export async function incrementalAlter(
  c: WireClient,
  resourceType: number,
  resourceName: string,
  ops: Array<[name: string, op: number, value: string | null]>,
  validateOnly = false,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  const r = await c.send<IncrementalAlterConfigsResponse>(44, 1, {
    resources: [
      {
        resourceType,
        resourceName,
        configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
      },
    ],
    validateOnly,
  });
  return r.responses[0];
}

export async function alterConfigs(
  c: WireClient,
  resourceType: number,
  resourceName: string,
  configs: Record<string, string>,
  validateOnly = false,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  const r = await c.send<AlterConfigsResponse>(33, 2, {
    resources: [
      { resourceType, resourceName, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) },
    ],
    validateOnly,
  });
  return r.responses[0];
}

export async function createPartitions(
  c: WireClient,
  name: string,
  count: number,
  opts: { validateOnly?: boolean; assignments?: number[][] | null } = {},
): Promise<{ errorCode: number; errorMessage: string | null }> {
  const r = await c.send<CreatePartitionsResponse>(37, 3, {
    topics: [{ name, count, assignments: opts.assignments?.map((brokerIds) => ({ brokerIds })) ?? null }],
    timeoutMs: 30_000,
    validateOnly: opts.validateOnly ?? false,
  });
  return r.results[0];
}

export async function deleteRecords(
  c: WireClient,
  name: string,
  partition: number,
  offset: number,
): Promise<{ errorCode: number; lowWatermark: bigint }> {
  const r = await c.send<DeleteRecordsResponse>(21, 2, {
    topics: [{ name, partitions: [{ partitionIndex: partition, offset: BigInt(offset) }] }],
    timeoutMs: 30_000,
  });
  return r.topics[0].partitions[0];
}

export async function fetchAt(
  c: WireClient,
  topic: string,
  partition: number,
  offset: number,
): Promise<FetchResponsePartitionData> {
  const r = await c.send<FetchResponse>(1, 12, fetchBody(topic, partition, BigInt(offset)));
  return r.responses[0].partitions[0];
}

/** ListOffsets v7 of one partition: timestamp -1 latest, -2 earliest. */
export async function listOffset(
  c: WireClient,
  topic: string,
  partition: number,
  timestamp: number,
): Promise<{ errorCode: number; offset: bigint; leaderEpoch: number }> {
  const r = await c.send<ListOffsetsResponse>(2, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: topic,
        partitions: [
          { partitionIndex: partition, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 },
        ],
      },
    ],
  });
  return r.topics[0].partitions[0];
}

export async function offsetForLeaderEpoch(
  c: WireClient,
  topic: string,
  partition: number,
  leaderEpoch: number,
  currentLeaderEpoch = -1,
): Promise<{ errorCode: number; leaderEpoch: number; endOffset: bigint }> {
  const r = await c.send<OffsetForLeaderEpochResponse>(23, 4, {
    replicaId: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }],
  });
  return r.topics[0].partitions[0];
}

/** name -> { value, source, synonyms } of a DescribeConfigs result, for comparisons. */
export function configMap(
  r: DescribeConfigsResponseDescribeConfigsResult,
): Map<string, { value: string | null; source: number; synonyms: Array<[string, string | null, number]> }> {
  return new Map(
    r.configs.map((c) => [
      c.name,
      {
        value: c.value,
        source: c.configSource,
        synonyms: c.synonyms.map((s): [string, string | null, number] => [s.name, s.value, s.source]),
      },
    ]),
  );
}
