// One round of Fetch (key 1) for a set of partitions of one topic, without a consumer group: partitions are
// grouped by leader, each leader gets one request from `positions` (updated in place to the next offset to read),
// and each non-control record is handed to onRecord in offset order. onRecord returns false to stop handing
// records (the position then stays just after the last one handed over). A partition error is thrown as
// @platformatic/kafka's ProtocolError, which carries Kafka's error name.
import { type Consumer, type KafkaRecord, ProtocolError } from '@platformatic/kafka';

const CONTROL_BATCH = 0x20;

export interface TopicLeaders {
  id: string;
  partitions: Array<{ leader: number } | undefined>;
}

export interface FetchedRecord {
  partition: number;
  offset: bigint;
  timestamp: bigint;
  record: KafkaRecord;
}

export async function fetchOnce(
  consumer: Consumer,
  topic: TopicLeaders,
  live: number[],
  positions: Map<number, bigint>,
  maxWaitTime: number,
  onRecord: (r: FetchedRecord) => boolean,
): Promise<void> {
  const byLeader = new Map<number, number[]>();
  for (const p of live) {
    const leader = topic.partitions[p]?.leader ?? -1;
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
  }
  let accepting = true;
  for (const [node, ps] of byLeader) {
    const response = await consumer.fetch({
      node,
      maxWaitTime,
      minBytes: 1,
      // 8 MiB per request, 1 MiB per partition: Kafka's consumer defaults (fetch.max.bytes 50 MiB is more than a
      // command-line tool needs).
      maxBytes: 8 * 1024 * 1024,
      topics: [
        {
          topicId: topic.id,
          partitions: ps.map((partition) => ({
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: positions.get(partition) ?? 0n,
            lastFetchedEpoch: -1,
            partitionMaxBytes: 1024 * 1024,
          })),
        },
      ],
    });
    for (const rt of response.responses) {
      for (const rp of rt.partitions) {
        if (rp.errorCode !== 0) throw new ProtocolError(rp.errorCode);
        let position = positions.get(rp.partitionIndex) ?? 0n;
        for (const batch of rp.records ?? []) {
          const next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
          if (!(batch.attributes & CONTROL_BATCH)) {
            for (const record of batch.records) {
              const offset = batch.firstOffset + BigInt(record.offsetDelta);
              if (offset < position || !accepting) continue;
              accepting = onRecord({
                partition: rp.partitionIndex,
                offset,
                timestamp: batch.firstTimestamp + record.timestampDelta,
                record,
              });
              position = offset + 1n;
            }
          }
          if (accepting && next > position) position = next;
        }
        positions.set(rp.partitionIndex, position);
      }
    }
  }
}
