// Request bodies the broker tests send often, for the versions named.
import { buildRecordBatch, type CreateTopicsResponse, type ProduceResponse } from '@sluice/protocol';
import type { WireClient } from './wire-client.ts';

export async function createTopic(
  client: WireClient,
  name: string,
  numPartitions: number,
  configs: Record<string, string> = {},
): Promise<void> {
  const r = await client.send<CreateTopicsResponse>(19, 4, {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  if (r.topics[0].errorCode !== 0) throw new Error(`create ${name}: error ${r.topics[0].errorCode}`);
}

/** Produce v7 of one batch holding `values` (with `keys`, when given) to one partition. */
export function produce(
  client: WireClient,
  topic: string,
  partition: number,
  values: Buffer[],
  acks = -1,
  keys?: Buffer[],
): Promise<ProduceResponse> {
  const records = buildRecordBatch({
    baseTimestamp: Date.now(),
    records: values.map((value, i) => ({ value, key: keys?.[i] ?? null })),
  });
  return client.send<ProduceResponse>(
    0,
    7,
    {
      transactionalId: null,
      acks,
      timeoutMs: 30_000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    },
    acks !== 0,
  );
}

/** A Fetch body (any version) for one partition at `fetchOffset`; options default to no wait and 1 MiB limits. */
export function fetchBody(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  o: Partial<Record<string, number>> = {},
) {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 0,
    maxBytes: o.maxBytes ?? 1_048_576,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: o.partitionMaxBytes ?? 1_048_576,
            replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}
