// Request bodies the differential tests (differential-*.test.ts) send to Kafka and Sluice alike, at the versions
// the tests name (Produce 9, Fetch 12, ListOffsets 7, CreateTopics 7, Metadata 12).
export { fetchBody } from './requests.ts';

export function produceBody(topic: string, partition: number, records: Buffer) {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

export function listOffsetsBody(topic: string, timestamp: bigint) {
  return {
    replicaId: -1,
    isolationLevel: 0,
    timeoutMs: 10_000,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
  };
}

export function createBody(
  topics: Array<{ name: string; numPartitions: number; replicationFactor: number; configs?: Record<string, string> }>,
) {
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 10_000,
    validateOnly: false,
  };
}

export function metadataBody(topics: string[] | null, allowAutoTopicCreation: boolean) {
  return {
    topics: topics?.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })) ?? null,
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}
