// Topic set-up for the load generator: CreateTopics v4 (TOPIC_ALREADY_EXISTS is fine), then Metadata v7 until every
// partition has a leader (Kafka elects them a few hundred ms after creation), bounded by timeoutMs.
import { type CreateTopicsResponse, type MetadataResponse, ZERO_UUID } from '@sluice/protocol';
import type { KafkaConnection } from './kafka-connection.ts';

const TOPIC_ALREADY_EXISTS = 36;

export async function ensureTopic(
  conn: KafkaConnection,
  topic: string,
  partitions: number,
  configs: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<void> {
  const created = await conn.request<CreateTopicsResponse>(19, 4, {
    topics: [
      {
        name: topic,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  const t = created.topics[0];
  if (t !== undefined && t.errorCode !== 0 && t.errorCode !== TOPIC_ALREADY_EXISTS) {
    throw new Error(`CreateTopics ${topic}: error ${t.errorCode} ${t.errorMessage ?? ''}`);
  }
  await waitForLeaders(conn, topic, partitions, timeoutMs);
}

export async function waitForLeaders(
  conn: KafkaConnection,
  topic: string,
  partitions: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const md = await conn.request<MetadataResponse>(3, 7, {
      topics: [{ topicId: ZERO_UUID, name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const t = md.topics.find((x) => x.name === topic);
    const led = t?.partitions.filter((p) => p.errorCode === 0 && p.leaderId >= 0).length ?? 0;
    if (t !== undefined && t.errorCode === 0 && led >= partitions) return;
    if (Date.now() > deadline) throw new Error(`topic ${topic}: ${led}/${partitions} partitions have a leader`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
