// `sluice consume TOPIC`, as kafka-console-consumer.sh / kcat -C.
// Without --group: reads the chosen partitions (--partition, default all) with Fetch from a start position:
//   --from beginning | end (default end), --offset N (every chosen partition), --timestamp T (ms or ISO-8601: the
//   first offset with timestamp >= T, ListOffsets). No group, nothing committed.
// With --group G: joins G (classic protocol), starts at the committed offsets (else at the beginning when --from
// beginning, else the end) and commits the position of each partition it printed from when it stops.
// Stops after --max N records, with -e/--exit-at-end once every partition it reads has reached the log end
// offset it had at the start, after --timeout-ms without a record, or on SIGINT (commits first with a group).
// --format value | json | a template (record-format.ts). Records go to stdout; "consumed N records" to stderr.
import { Admin, Consumer } from '@platformatic/kafka';
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { clientOptions } from '../client.ts';
import { CliError, ExitCode, usage } from '../errors.ts';
import { fetchOnce } from '../fetch-loop.ts';
import { parseIntArg } from '../format.ts';
import { EARLIEST, LATEST, listOffsets, range } from '../offsets.ts';
import { formatter, type PrintableRecord } from '../record-format.ts';

interface ConsumeOpts {
  group?: string;
  from: string;
  offset?: string;
  timestamp?: string;
  partition?: string;
  max?: string;
  exitAtEnd?: boolean;
  timeoutMs?: string;
  format: string;
}

export function parseTimestamp(value: string): bigint {
  if (/^\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw usage(`${value}: expected milliseconds since the epoch or an ISO-8601 date-time`);
  return BigInt(ms);
}

class Output {
  count = 0;
  readonly max: number;
  readonly print: (r: PrintableRecord) => string;
  constructor(max: number, format: string) {
    this.max = max;
    this.print = formatter(format);
  }
  get full(): boolean {
    return this.count >= this.max;
  }
  write(r: PrintableRecord): void {
    this.count++;
    process.stdout.write(this.print(r));
  }
}

/** Idle timer: resolves `idle` after ms without touch(). */
function idleTimer(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  let fire: () => void = () => {};
  const idle = new Promise<void>((resolve) => {
    fire = resolve;
  });
  const touch = () => {
    if (!Number.isFinite(ms)) return;
    clearTimeout(timer);
    timer = setTimeout(fire, ms);
  };
  touch();
  return { idle, touch, stop: () => clearTimeout(timer) };
}

async function consumeWithoutGroup(
  consumer: Consumer,
  admin: Admin,
  topic: string,
  partitions: number[],
  opts: ConsumeOpts,
  out: Output,
  timeoutMs: number,
  stopped: () => boolean,
) {
  const md = await consumer.metadata({ topics: [topic] });
  const t = md.topics.get(topic);
  if (!t) throw new CliError(`topic ${topic} does not exist`, ExitCode.NOT_FOUND, 'UNKNOWN_TOPIC_OR_PARTITION');
  const ends = await listOffsets(admin, topic, partitions, LATEST);
  let positions: Map<number, bigint>;
  if (opts.offset !== undefined) {
    const o = BigInt(parseIntArg(opts.offset, '--offset'));
    positions = new Map(partitions.map((p) => [p, o]));
  } else if (opts.timestamp !== undefined) {
    positions = await listOffsets(admin, topic, partitions, parseTimestamp(opts.timestamp));
    // No record at or after the timestamp: ListOffsets answers -1; start at the log end, as Kafka's consumer does.
    for (const [p, o] of positions) if (o < 0n) positions.set(p, ends.get(p) ?? 0n);
  } else {
    positions = await listOffsets(admin, topic, partitions, opts.from === 'beginning' ? EARLIEST : LATEST);
  }
  const done = (p: number) => opts.exitAtEnd && (positions.get(p) ?? 0n) >= (ends.get(p) ?? 0n);
  const idle = idleTimer(timeoutMs);
  let timedOut = false;
  void idle.idle.then(() => {
    timedOut = true;
  });
  try {
    while (!out.full && !timedOut && !stopped()) {
      const live = partitions.filter((p) => !done(p));
      if (live.length === 0) break;
      // 500 ms: short enough to notice --timeout-ms and SIGINT promptly, long enough not to spin.
      await fetchOnce(consumer, t, live, positions, 500, (r) => {
        out.write({
          topic,
          partition: r.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.record.key,
          value: r.record.value,
          headers: r.record.headers,
        });
        idle.touch();
        return !out.full;
      });
    }
  } finally {
    idle.stop();
  }
}

async function consumeWithGroup(
  consumer: Consumer,
  admin: Admin,
  topic: string,
  opts: ConsumeOpts,
  out: Output,
  timeoutMs: number,
  onStop: (stop: () => void) => void,
) {
  if (opts.offset !== undefined || opts.timestamp !== undefined || opts.partition !== undefined) {
    throw usage(
      '--offset, --timestamp and --partition cannot be used with --group (use `sluice groups reset-offsets`)',
    );
  }
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'committed',
    fallbackMode: opts.from === 'beginning' ? 'earliest' : 'latest',
    autocommit: false,
    maxWaitTime: 500,
  });
  const last = new Map<number, { offset: bigint; leaderEpoch: number }>();
  const assigned = (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
  const ends = await listOffsets(admin, topic, assigned, LATEST);
  const positions = new Map<number, bigint>();
  if (opts.exitAtEnd && assigned.length > 0) {
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic, partitions: assigned }] })).get(topic);
    const fallback = await listOffsets(admin, topic, assigned, opts.from === 'beginning' ? EARLIEST : LATEST);
    assigned.forEach((p, i) => {
      const c = committed?.[i] ?? -1n;
      positions.set(p, c >= 0n ? c : (fallback.get(p) ?? 0n));
    });
  }
  const atEnd = () => opts.exitAtEnd && assigned.every((p) => (positions.get(p) ?? 0n) >= (ends.get(p) ?? 0n));
  const idle = idleTimer(timeoutMs);
  let stop = atEnd() || out.full;
  const close = () => {
    stop = true;
    void stream.close();
  };
  onStop(close);
  void idle.idle.then(close);
  try {
    if (!stop) {
      for await (const m of stream) {
        if (stop) break;
        out.write({
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          timestamp: m.timestamp,
          key: m.key,
          value: m.value,
          headers: m.headerEntries,
        });
        idle.touch();
        last.set(m.partition, { offset: m.offset, leaderEpoch: m.leaderEpoch });
        positions.set(m.partition, m.offset + 1n);
        if (out.full || atEnd()) break;
      }
    }
  } finally {
    idle.stop();
    if (!stream.closed) await stream.close();
  }
  if (last.size > 0) {
    await consumer.commit({
      offsets: [...last].map(([partition, l]) => ({
        topic,
        partition,
        offset: l.offset + 1n,
        leaderEpoch: l.leaderEpoch,
      })),
    });
  }
}

async function consume(topic: string, opts: ConsumeOpts, cmd: Command): Promise<void> {
  if (!['beginning', 'end'].includes(opts.from)) throw usage(`--from ${opts.from}: expected beginning or end`);
  const max = opts.max === undefined ? Number.POSITIVE_INFINITY : parseIntArg(opts.max, '--max', 1);
  const timeoutMs =
    opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : parseIntArg(opts.timeoutMs, '--timeout-ms', 1);
  const out = new Output(max, opts.format);
  const admin = new Admin(clientOptions(globals(cmd), 'sluice-consume'));
  const consumer = new Consumer({
    ...clientOptions(globals(cmd), 'sluice-consume'),
    groupId: opts.group ?? `sluice-consume-${process.pid}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  let interrupted = false;
  let stopGroup: () => void = () => {};
  const onSigint = () => {
    if (interrupted) process.exit(ExitCode.INTERRUPTED);
    interrupted = true;
    stopGroup();
  };
  process.on('SIGINT', onSigint);
  try {
    if (opts.group) {
      await consumeWithGroup(consumer, admin, topic, opts, out, timeoutMs, (s) => {
        stopGroup = s;
      });
    } else {
      const count = (await consumer.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount ?? 0;
      const partitions = opts.partition === undefined ? range(count) : [parseIntArg(opts.partition, '--partition')];
      await consumeWithoutGroup(consumer, admin, topic, partitions, opts, out, timeoutMs, () => interrupted);
    }
  } finally {
    process.off('SIGINT', onSigint);
    await consumer.close(true).catch(() => {});
    await admin.close().catch(() => {});
  }
  process.stderr.write(`consumed ${out.count} records\n`);
  if (interrupted) process.exit(ExitCode.INTERRUPTED);
}

export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description('print records of a topic to stdout')
    .argument('<topic>')
    .option('-g, --group <group>', 'consume as a member of this consumer group and commit offsets')
    .option('--from <where>', 'beginning or end (with --group: where to start without a committed offset)', 'end')
    .option('-o, --offset <n>', 'start at this offset (every chosen partition; no --group)')
    .option('--timestamp <t>', 'start at the first record with timestamp >= t (ms or ISO-8601; no --group)')
    .option('-p, --partition <n>', 'read only this partition (no --group)')
    .option('-n, --max <n>', 'stop after n records')
    .option('-e, --exit-at-end', 'stop when every partition read has reached its end offset (as of the start)')
    .option('--timeout-ms <ms>', 'stop after this long without a record')
    .option(
      '-F, --format <format>',
      'value, json, or a template with %k %v %h %t %p %o %T %% (key, value, headers, topic, partition, offset, timestamp)',
      'value',
    )
    .action(act(consume));
}
