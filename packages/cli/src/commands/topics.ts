// `sluice topics list|describe|create|delete|alter-config|add-partitions`, as kafka-topics.sh.
// describe prints, per topic, a header line (name, id, partition count, replication factor, configs set on the
// topic) and a table per partition: PARTITION LEADER REPLICAS ISR LOG-START-OFFSET LOG-END-OFFSET SIZE, from
// Metadata, ListOffsets, DescribeLogDirs (size in bytes on disk) and DescribeConfigs. When the cluster does not
// advertise DescribeLogDirs or DescribeConfigs, the size prints as "-" and configs as "(not available)", with a
// warning on stderr naming the missing API, rather than failing the whole description.
import { type Admin, ConfigResourceTypes } from '@platformatic/kafka';
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { ApiKey, advertisedApis, withAdmin } from '../client.ts';
import { CliError, ExitCode, usage } from '../errors.ts';
import { collect, parseIntArg, parsePairs, printTable } from '../format.ts';
import { EARLIEST, LATEST, listOffsets, range } from '../offsets.ts';
import { alterConfigs, describeConfigs, overrides } from './configs.ts';

async function describeTopic(admin: Admin, topic: string, apis: Set<number>): Promise<void> {
  const md = await admin.metadata({ topics: [topic] });
  const t = md.topics.get(topic);
  if (!t) throw new CliError(`topic ${topic} does not exist`, ExitCode.NOT_FOUND, 'UNKNOWN_TOPIC_OR_PARTITION');
  const partitions = range(t.partitionsCount);
  const [start, end] = await Promise.all([
    listOffsets(admin, topic, partitions, EARLIEST),
    listOffsets(admin, topic, partitions, LATEST),
  ]);
  const sizes = new Map<number, bigint>();
  if (apis.has(ApiKey.DescribeLogDirs)) {
    const dirs = await admin.describeLogDirs({ topics: [{ name: topic, partitions }] });
    for (const b of dirs) {
      for (const r of b.results) {
        for (const dt of r.topics) {
          if (dt.name !== topic) continue;
          for (const p of dt.partitions) {
            if (!p.isFutureKey) sizes.set(p.partitionIndex, (sizes.get(p.partitionIndex) ?? 0n) + p.partitionSize);
          }
        }
      }
    }
  } else {
    process.stderr.write('sluice topics describe: warning: the cluster lacks DescribeLogDirs; sizes not shown\n');
  }
  let configs = '(not available)';
  if (apis.has(ApiKey.DescribeConfigs)) {
    const own = overrides(await describeConfigs(admin, ConfigResourceTypes.TOPIC, topic), ConfigResourceTypes.TOPIC);
    configs = own.map((c) => `${c.name}=${c.sensitive ? '(sensitive)' : c.value}`).join(',');
  } else {
    process.stderr.write('sluice topics describe: warning: the cluster lacks DescribeConfigs; configs not shown\n');
  }
  const rf = t.partitions[0]?.replicas.length ?? 0;
  process.stdout.write(
    `Topic: ${topic}\tTopicId: ${t.id}\tPartitionCount: ${t.partitionsCount}\tReplicationFactor: ${rf}\tConfigs: ${configs}\n`,
  );
  printTable(
    ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START-OFFSET', 'LOG-END-OFFSET', 'SIZE'],
    partitions.map((p) => {
      const pm = t.partitions[p];
      return [
        p,
        pm?.leader ?? -1,
        pm?.replicas.join(',') ?? '',
        pm?.isr.join(',') ?? '',
        start.get(p) ?? '-',
        end.get(p) ?? '-',
        sizes.get(p) ?? '-',
      ];
    }),
  );
}

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('list, describe, create, delete and alter topics');
  topics
    .command('list')
    .description('print topic names, one a line')
    .option('--include-internal', 'also list internal topics (__consumer_offsets, ...)')
    .action(
      act(async (opts: { includeInternal?: boolean }, cmd: Command) => {
        const names = await withAdmin(globals(cmd), (a) => a.listTopics({ includeInternals: !!opts.includeInternal }));
        for (const n of names.sort()) process.stdout.write(`${n}\n`);
      }),
    );
  topics
    .command('describe')
    .description('partitions, leader, replicas, ISR, log start/end offsets, size on disk, non-default configs')
    .argument('[topics...]', 'topics to describe (default: all)')
    .action(
      act(async (names: string[], _opts: unknown, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const apis = await advertisedApis(admin);
          const list = names.length > 0 ? names : (await admin.listTopics()).sort();
          for (const n of list) await describeTopic(admin, n, apis);
        });
      }),
    );
  topics
    .command('create')
    .description('create a topic')
    .argument('<topic>')
    .option('-p, --partitions <n>', 'partition count (default: the broker num.partitions)')
    .option('-r, --replication-factor <n>', 'replication factor (default: the broker default.replication.factor)')
    .option('-c, --config <key=value>', 'topic config (repeatable)', collect, [])
    .option('--if-not-exists', 'succeed when the topic already exists')
    .action(
      act(
        async (
          topic: string,
          opts: { partitions?: string; replicationFactor?: string; config: string[]; ifNotExists?: boolean },
          cmd: Command,
        ) => {
          const partitions = opts.partitions ? parseIntArg(opts.partitions, '--partitions', 1) : -1;
          const replicas = opts.replicationFactor ? parseIntArg(opts.replicationFactor, '--replication-factor', 1) : -1;
          const configs = parsePairs(opts.config, '--config').map(([name, value]) => ({ name, value }));
          try {
            const created = await withAdmin(globals(cmd), (a) =>
              a.createTopics({ topics: [topic], partitions, replicas, configs }),
            );
            const c = created[0];
            process.stdout.write(
              `created topic ${topic} (${c?.partitions ?? partitions} partitions, replication factor ${c?.replicas ?? replicas})\n`,
            );
          } catch (err) {
            if (
              opts.ifNotExists &&
              JSON.stringify(err, ['apiId', 'errors', 'cause']).includes('TOPIC_ALREADY_EXISTS')
            ) {
              process.stdout.write(`topic ${topic} already exists\n`);
              return;
            }
            throw err;
          }
        },
      ),
    );
  topics
    .command('delete')
    .description('delete topics')
    .argument('<topics...>')
    .option('--if-exists', 'succeed when a topic does not exist')
    .action(
      act(async (names: string[], opts: { ifExists?: boolean }, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          let list = names;
          if (opts.ifExists) {
            const existing = new Set(await admin.listTopics());
            list = names.filter((n) => existing.has(n));
          }
          if (list.length > 0) await admin.deleteTopics({ topics: list });
        });
        process.stdout.write(`deleted ${names.join(', ')}\n`);
      }),
    );
  topics
    .command('alter-config')
    .description('set or delete topic configs (IncrementalAlterConfigs)')
    .argument('<topic>')
    .option('--set <key=value>', 'set a config (repeatable)', collect, [])
    .option('--delete <key>', 'remove a config, back to the broker default (repeatable)', collect, [])
    .action(
      act(async (topic: string, opts: { set: string[]; delete: string[] }, cmd: Command) => {
        await withAdmin(globals(cmd), (a) => alterConfigs(a, ConfigResourceTypes.TOPIC, topic, opts.set, opts.delete));
        process.stdout.write(`altered configs of topic ${topic}\n`);
      }),
    );
  topics
    .command('add-partitions')
    .description('raise the partition count of a topic (CreatePartitions)')
    .argument('<topic>')
    .requiredOption('--total <n>', 'the new total partition count')
    .action(
      act(async (topic: string, opts: { total: string }, cmd: Command) => {
        const count = parseIntArg(opts.total, '--total', 1);
        if (count < 1) throw usage('--total must be positive');
        await withAdmin(globals(cmd), (a) =>
          a.createPartitions({ topics: [{ name: topic, count, assignments: null }] }),
        );
        process.stdout.write(`topic ${topic} now has ${count} partitions\n`);
      }),
    );
}
