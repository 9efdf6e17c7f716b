// Reads every record of a partition from offset 0 to the highWatermark with Fetch (through WireClient), decoding
// the batches with @sluice/protocol: what a consumer would see, byte for byte, with offsets.
import { type FetchResponse, type Record, readRecords } from '@sluice/protocol';
import { fetchBody } from './requests.ts';
import type { WireClient } from './wire-client.ts';

export async function fetchAll(client: WireClient, topic: string, partition: number, version = 11): Promise<Record[]> {
  const out: Record[] = [];
  let offset = 0;
  for (let round = 0; round < 10_000; round++) {
    const r = await client.send<FetchResponse>(
      1,
      version,
      fetchBody(topic, partition, BigInt(offset), { maxBytes: 4 * 1024 * 1024, partitionMaxBytes: 2 * 1024 * 1024 }),
    );
    const p = r.responses[0].partitions[0];
    if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset}: error ${p.errorCode}`);
    const records = p.records ?? Buffer.alloc(0);
    let pos = 0;
    while (records.length - pos >= 61) {
      const size = 12 + records.readInt32BE(pos + 8);
      if (pos + size > records.length) break;
      for (const rec of readRecords(records, pos)) {
        if (rec.offset >= offset) out.push(rec);
      }
      pos += size;
    }
    if (out.length > 0) offset = out[out.length - 1].offset + 1;
    if (offset >= Number(p.highWatermark)) return out;
    if (pos === 0) throw new Error(`fetch ${topic}-${partition}@${offset}: no whole batch below the highWatermark`);
  }
  throw new Error('too many fetch rounds');
}
