// `sluice produce TOPIC`: one record per input line (stdin, or --file), as kafka-console-producer.sh.
// --key-separator SEP splits each line at the first SEP into key and value (a line without SEP is refused, exit 2);
// -H/--header k=v adds a header to every record; --partition, --compression, --acks (-1|all, 0, 1) and
// --idempotence (InitProducerId, acks must be all) go to the producer. Lines are sent in batches of --batch-size
// (default 500). At the end prints what was sent:
//   produced 10 records to t
//   PARTITION  COUNT  FIRST-OFFSET  LAST-OFFSET
// (offsets are unknown with --acks 0 and print as "-"). An empty trailing line is not a record.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Producer } from '@platformatic/kafka';
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { clientOptions } from '../client.ts';
import { usage } from '../errors.ts';
import { collect, parseIntArg, parsePairs, printTable } from '../format.ts';
import { partitionCount } from '../offsets.ts';
import { partitionerFor } from '../partitioning.ts';

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export function parseAcks(value: string): number {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0' || value === '1') return Number(value);
  throw usage(`--acks ${value}: expected all, -1, 0 or 1`);
}

export function parseCodec(value: string): Codec {
  if (!(CODECS as readonly string[]).includes(value))
    throw usage(`--compression ${value}: expected ${CODECS.join(', ')}`);
  return value as Codec;
}

interface ProduceOpts {
  file?: string;
  keySeparator?: string;
  header: string[];
  partition?: string;
  compression: string;
  acks: string;
  idempotence?: boolean;
  batchSize: string;
}

interface PartitionReport {
  count: number;
  first: bigint | undefined;
  last: bigint | undefined;
}

async function produce(topic: string, opts: ProduceOpts, cmd: Command): Promise<void> {
  const acks = parseAcks(opts.acks);
  const compression = parseCodec(opts.compression);
  const batchSize = parseIntArg(opts.batchSize, '--batch-size', 1);
  const fixed = opts.partition === undefined ? undefined : parseIntArg(opts.partition, '--partition');
  if (opts.idempotence && acks !== -1) throw usage('--idempotence needs --acks all');
  const headers = new Map(parsePairs(opts.header, '--header').map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
  const input = opts.file ? createReadStream(opts.file) : process.stdin;
  const inputError = new Promise<never>((_, reject) =>
    input.once('error', (e: Error) => reject(usage(`--file ${opts.file}: ${e.message}`))),
  );
  const producer = new Producer({
    ...clientOptions(globals(cmd), 'sluice-produce'),
    acks,
    compression,
    idempotent: !!opts.idempotence,
    autocreateTopics: false,
  });
  const report = new Map<number, PartitionReport>();
  let total = 0;
  try {
    const count = await partitionCount(producer, topic);
    if (fixed !== undefined && fixed >= count) throw usage(`--partition ${fixed}: ${topic} has ${count} partitions`);
    const pick = partitionerFor(count, fixed);
    let batch: Array<{ topic: string; partition: number; key?: Buffer; value: Buffer; headers: Map<Buffer, Buffer> }> =
      [];
    const flush = async () => {
      if (batch.length === 0) return;
      const perPartition = new Map<number, number>();
      for (const m of batch) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + 1);
      const result = await producer.send({ messages: batch });
      const bases = new Map((result.offsets ?? []).map((o) => [o.partition, o.offset]));
      for (const [p, n] of perPartition) {
        const r = report.get(p) ?? { count: 0, first: undefined, last: undefined };
        const base = bases.get(p);
        r.count += n;
        if (base !== undefined) {
          r.first ??= base;
          r.last = base + BigInt(n - 1);
        }
        report.set(p, r);
      }
      total += batch.length;
      batch = [];
    };
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    const read = (async () => {
      for await (const line of lines) {
        let key: Buffer | undefined;
        let value = line;
        if (opts.keySeparator !== undefined) {
          const at = line.indexOf(opts.keySeparator);
          if (at < 0) throw usage(`line ${total + batch.length + 1} has no key separator "${opts.keySeparator}"`);
          key = Buffer.from(line.slice(0, at));
          value = line.slice(at + opts.keySeparator.length);
        }
        batch.push({ topic, partition: pick(key), key, value: Buffer.from(value), headers });
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    })();
    await Promise.race([read, inputError]);
  } finally {
    await producer.close().catch(() => {});
  }
  process.stdout.write(`produced ${total} records to ${topic}\n`);
  printTable(
    ['PARTITION', 'COUNT', 'FIRST-OFFSET', 'LAST-OFFSET'],
    [...report.entries()].sort((a, b) => a[0] - b[0]).map(([p, r]) => [p, r.count, r.first ?? '-', r.last ?? '-']),
  );
}

export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('send one record per input line (stdin or --file) to a topic')
    .argument('<topic>')
    .option('-f, --file <file>', 'read lines from this file instead of stdin')
    .option('-K, --key-separator <sep>', 'split each line at the first <sep> into key and value')
    .option('-H, --header <key=value>', 'header added to every record (repeatable)', collect, [])
    .option('-p, --partition <n>', 'send every record to this partition')
    .option('-z, --compression <codec>', `compression: ${CODECS.join(', ')}`, 'none')
    .option('--acks <acks>', 'all (-1), 0 or 1', 'all')
    .option('--idempotence', 'idempotent producer (InitProducerId; needs --acks all)')
    .option('--batch-size <n>', 'records per produce request', '500')
    .action(act(produce));
}
