// `sluice groups list|describe|reset-offsets|delete|delete-offsets`, as kafka-consumer-groups.sh.
// describe prints, per partition with a committed offset or an assigned member, the same columns as Kafka's tool:
//   GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
// where LAG = LOG-END-OFFSET - CURRENT-OFFSET ("-" when nothing is committed), then the members and their
// assignments. reset-offsets computes new committed offsets from --to-earliest | --to-latest | --to-datetime |
// --to-offset | --shift-by (clamped to [log start, log end], as Kafka does) and only prints them (a dry run) unless
// --execute is given; the group must have no members (Empty or Dead), as Kafka requires.
// Topic arguments take Kafka's form: `topic` (all partitions) or `topic:0,2`.
import type { Admin } from '@platformatic/kafka';
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { withAdmin } from '../client.ts';
import { CliError, ExitCode, usage } from '../errors.ts';
import { collect, parseIntArg, printTable } from '../format.ts';
import { EARLIEST, LATEST, listOffsets, partitionCount, range } from '../offsets.ts';
import { parseTimestamp } from './consume.ts';

interface TopicSpec {
  topic: string;
  partitions: number[] | undefined;
}

function parseTopicSpec(spec: string): TopicSpec {
  const colon = spec.lastIndexOf(':');
  if (colon < 0) return { topic: spec, partitions: undefined };
  const partitions = spec
    .slice(colon + 1)
    .split(',')
    .map((p) => parseIntArg(p, `--topic ${spec}: partition`));
  return { topic: spec.slice(0, colon), partitions };
}

async function committedOffsets(admin: Admin, group: string): Promise<Map<string, Map<number, bigint>>> {
  const listed = await admin.listConsumerGroupOffsets({ groups: [group] });
  const out = new Map<string, Map<number, bigint>>();
  for (const g of listed) {
    for (const t of g.topics) {
      for (const p of t.partitions) {
        if (p.committedOffset < 0n) continue;
        if (!out.has(t.name)) out.set(t.name, new Map());
        out.get(t.name)?.set(p.partitionIndex, p.committedOffset);
      }
    }
  }
  return out;
}

async function describeGroup(admin: Admin, group: string): Promise<void> {
  // DescribeGroups speaks of classic groups; a KIP-848 consumer group may answer with an error there while its
  // committed offsets (OffsetFetch) are still the part users ask for, so only both missing means "no such group".
  const described = await admin
    .describeGroups({ groups: [group] })
    .then((m) => m.get(group))
    .catch(() => undefined);
  const committed = await committedOffsets(admin, group);
  const dead = !described || described.state === 'Dead' || described.state === 'DEAD';
  if (dead && committed.size === 0) {
    throw new CliError(`consumer group ${group} does not exist`, ExitCode.NOT_FOUND, 'GROUP_ID_NOT_FOUND');
  }
  const members = dead ? [] : [...(described?.members.values() ?? [])];
  // Who owns each partition: topic -> partition -> member.
  const owner = new Map<string, Map<number, { id: string; host: string; clientId: string }>>();
  for (const m of members) {
    for (const a of m.assignments?.values() ?? []) {
      if (!owner.has(a.topic)) owner.set(a.topic, new Map());
      for (const p of a.partitions) owner.get(a.topic)?.set(p, { id: m.id, host: m.clientHost, clientId: m.clientId });
    }
  }
  const topics = [...new Set([...committed.keys(), ...owner.keys()])].sort();
  const rows: Array<Array<string | number | bigint>> = [];
  for (const topic of topics) {
    const ps = [...new Set([...(committed.get(topic)?.keys() ?? []), ...(owner.get(topic)?.keys() ?? [])])].sort(
      (a, b) => a - b,
    );
    const ends = await listOffsets(admin, topic, ps, LATEST);
    for (const p of ps) {
      const current = committed.get(topic)?.get(p);
      const end = ends.get(p);
      const o = owner.get(topic)?.get(p);
      rows.push([
        group,
        topic,
        p,
        current ?? '-',
        end ?? '-',
        current !== undefined && end !== undefined ? end - current : '-',
        o?.id ?? '-',
        o?.host ?? '-',
        o?.clientId ?? '-',
      ]);
    }
  }
  process.stdout.write(
    `Group: ${group}\tState: ${described?.state ?? 'Unknown'}\tProtocol: ${described?.protocol || '-'}\n`,
  );
  printTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    rows,
  );
  process.stdout.write('\n');
  if (members.length === 0) {
    process.stdout.write(`Consumer group '${group}' has no active members.\n`);
    return;
  }
  printTable(
    ['CONSUMER-ID', 'HOST', 'CLIENT-ID', 'ASSIGNMENT'],
    members.map((m) => [
      m.id,
      m.clientHost,
      m.clientId,
      [...(m.assignments?.values() ?? [])].map((a) => `${a.topic}(${a.partitions.join(',')})`).join(' ') || '-',
    ]),
  );
}

interface ResetOpts {
  topic: string[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: string;
  toOffset?: string;
  shiftBy?: string;
  execute?: boolean;
}

async function resetOffsets(admin: Admin, group: string, opts: ResetOpts): Promise<void> {
  const modes = [opts.toEarliest, opts.toLatest, opts.toDatetime, opts.toOffset, opts.shiftBy].filter(
    (m) => m !== undefined,
  );
  if (modes.length !== 1) {
    throw usage('give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by');
  }
  if (opts.topic.length > 0 === !!opts.allTopics) throw usage('give --topic (repeatable) or --all-topics');
  const described = (await admin.describeGroups({ groups: [group] })).get(group);
  const state = described?.state ?? 'Dead';
  if (opts.execute && !['Empty', 'Dead', 'EMPTY', 'DEAD'].includes(state)) {
    throw new CliError(
      `offsets can only be reset while group ${group} is inactive, but its state is ${state} — stop its consumers first`,
      ExitCode.KAFKA_ERROR,
    );
  }
  const committed = await committedOffsets(admin, group);
  const specs = opts.allTopics
    ? [...committed.keys()].map((topic) => ({ topic, partitions: undefined }))
    : opts.topic.map(parseTopicSpec);
  const plan: Array<{ topic: string; partition: number; offset: bigint }> = [];
  for (const spec of specs) {
    const ps = spec.partitions ?? range(await partitionCount(admin, spec.topic));
    const [start, end] = await Promise.all([
      listOffsets(admin, spec.topic, ps, EARLIEST),
      listOffsets(admin, spec.topic, ps, LATEST),
    ]);
    let target: Map<number, bigint>;
    if (opts.toEarliest) target = start;
    else if (opts.toLatest) target = end;
    else if (opts.toDatetime !== undefined) {
      target = await listOffsets(admin, spec.topic, ps, parseTimestamp(opts.toDatetime));
    } else if (opts.toOffset !== undefined) {
      const o = BigInt(parseIntArg(opts.toOffset, '--to-offset'));
      target = new Map(ps.map((p) => [p, o]));
    } else {
      const shift = BigInt(Number.parseInt(opts.shiftBy as string, 10));
      if (!/^-?\d+$/.test(opts.shiftBy as string)) throw usage(`--shift-by ${opts.shiftBy}: expected an integer`);
      target = new Map(ps.map((p) => [p, (committed.get(spec.topic)?.get(p) ?? start.get(p) ?? 0n) + shift]));
    }
    for (const p of ps) {
      let o = target.get(p) ?? 0n;
      const lo = start.get(p) ?? 0n;
      const hi = end.get(p) ?? 0n;
      if (o < 0n) o = hi; // ListOffsets by timestamp past the last record answers -1: the log end.
      plan.push({ topic: spec.topic, partition: p, offset: o < lo ? lo : o > hi ? hi : o });
    }
  }
  if (opts.execute) {
    const byTopic = new Map<string, Array<{ partition: number; offset: bigint }>>();
    for (const r of plan) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    await admin.alterConsumerGroupOffsets({
      groupId: group,
      topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
    });
  }
  printTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
    plan.map((r) => [group, r.topic, r.partition, r.offset]),
  );
  if (!opts.execute) process.stderr.write('dry run: nothing changed; add --execute to apply\n');
}

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('list, describe, reset, delete consumer groups');
  groups
    .command('list')
    .description('print consumer groups: GROUP TYPE STATE')
    .action(
      act(async (_opts: unknown, cmd: Command) => {
        const listed = await withAdmin(globals(cmd), (a) => a.listGroups());
        printTable(
          ['GROUP', 'TYPE', 'STATE'],
          [...listed.values()]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((g) => [g.id, g.groupType ?? g.protocolType ?? '-', g.state]),
        );
      }),
    );
  groups
    .command('describe')
    .description('per partition: committed offset, log end offset, LAG, owner; then members and assignments')
    .argument('<groups...>')
    .action(
      act(async (names: string[], _opts: unknown, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          for (const g of names) await describeGroup(admin, g);
        });
      }),
    );
  groups
    .command('reset-offsets')
    .description('compute new committed offsets; prints them (dry run) unless --execute')
    .argument('<group>')
    .option('--topic <topic[:partitions]>', 'topic, or topic:0,1 (repeatable)', collect, [])
    .option('--all-topics', 'every topic the group has committed offsets for')
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the log end offset')
    .option('--to-datetime <t>', 'to the first offset with timestamp >= t (ISO-8601 or ms)')
    .option('--to-offset <n>', 'to this offset')
    .option('--shift-by <n>', 'move the committed offset by n (negative: back)')
    .option('--execute', 'apply the new offsets (the group must have no members)')
    .action(
      act(async (group: string, opts: ResetOpts, cmd: Command) =>
        withAdmin(globals(cmd), (a) => resetOffsets(a, group, opts)),
      ),
    );
  groups
    .command('delete')
    .description('delete consumer groups (they must have no members)')
    .argument('<groups...>')
    .action(
      act(async (names: string[], _opts: unknown, cmd: Command) => {
        await withAdmin(globals(cmd), (a) => a.deleteGroups({ groups: names }));
        process.stdout.write(`deleted ${names.join(', ')}\n`);
      }),
    );
  groups
    .command('delete-offsets')
    .description("delete a group's committed offsets for topics or partitions (OffsetDelete)")
    .argument('<group>')
    .requiredOption('--topic <topic[:partitions]>', 'topic, or topic:0,1 (repeatable)', collect, [])
    .action(
      act(async (group: string, opts: { topic: string[] }, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const topics = [];
          for (const spec of opts.topic.map(parseTopicSpec)) {
            const partitionIndexes = spec.partitions ?? range(await partitionCount(admin, spec.topic));
            topics.push({ name: spec.topic, partitionIndexes });
          }
          await admin.deleteConsumerGroupOffsets({ groupId: group, topics });
          process.stdout.write(`deleted offsets of ${group} for ${opts.topic.join(', ')}\n`);
        });
      }),
    );
}
