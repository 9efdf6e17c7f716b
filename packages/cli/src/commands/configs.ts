// `sluice configs describe|alter` for a topic or a broker: DescribeConfigs (key 32) and IncrementalAlterConfigs
// (key 44). describe prints every config with its value and source (DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG,
// DEFAULT_CONFIG, ...), or with --non-default only those not at their default; sensitive values print as
// (sensitive). alter takes --set key=value and --delete key (repeatable), applied in one request.
import { type Admin, ConfigResourceTypes, ConfigSources } from '@platformatic/kafka';
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { withAdmin } from '../client.ts';
import { usage } from '../errors.ts';
import { collect, parsePairs, printTable } from '../format.ts';

const SOURCE_NAMES = new Map<number, string>(Object.entries(ConfigSources).map(([k, v]) => [v, k]));
SOURCE_NAMES.set(ConfigSources.DYNAMIC_TOPIC_CONFIG, 'DYNAMIC_TOPIC_CONFIG');

export interface DescribedConfig {
  name: string;
  value: string | null;
  source: string;
  isDefault: boolean;
  sensitive: boolean;
}

function resourceType(entity: string): 2 | 4 {
  if (entity === 'topic' || entity === 'topics') return ConfigResourceTypes.TOPIC;
  if (entity === 'broker' || entity === 'brokers') return ConfigResourceTypes.BROKER;
  throw usage(`--entity-type ${entity}: expected topic or broker`);
}

export async function describeConfigs(admin: Admin, type: 2 | 4, name: string): Promise<DescribedConfig[]> {
  const described = await admin.describeConfigs({ resources: [{ resourceType: type, resourceName: name }] });
  const out: DescribedConfig[] = [];
  for (const r of described) {
    for (const c of r.configs) {
      out.push({
        name: c.name,
        value: c.value ?? null,
        source: SOURCE_NAMES.get(c.configSource) ?? String(c.configSource),
        isDefault: c.configSource === ConfigSources.DEFAULT_CONFIG,
        sensitive: c.isSensitive,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The configs set on the resource itself (what Kafka's tools list as "Configs:" in a topic description). */
export function overrides(configs: DescribedConfig[], type: 2 | 4): DescribedConfig[] {
  const own = type === ConfigResourceTypes.TOPIC ? 'DYNAMIC_TOPIC_CONFIG' : 'DYNAMIC_BROKER_CONFIG';
  return configs.filter((c) => c.source === own);
}

export async function alterConfigs(admin: Admin, type: 2 | 4, name: string, set: string[], del: string[]) {
  if (set.length === 0 && del.length === 0) throw usage('nothing to change: give --set key=value or --delete key');
  const configs = [
    ...parsePairs(set, '--set').map(([k, value]) => ({ name: k, configOperation: 0 as const, value })),
    ...del.map((k) => ({ name: k, configOperation: 1 as const })),
  ];
  await admin.incrementalAlterConfigs({ resources: [{ resourceType: type, resourceName: name, configs }] });
}

export function registerConfigs(program: Command): void {
  const configs = program.command('configs').description('describe or alter topic and broker configs');
  configs
    .command('describe')
    .description('print the configs of a topic or broker: name, value, source')
    .requiredOption('--entity-type <type>', 'topic or broker')
    .requiredOption('--entity-name <name>', 'topic name or broker id')
    .option('--non-default', 'only configs not at their default')
    .action(
      act(async (opts: { entityType: string; entityName: string; nonDefault?: boolean }, cmd: Command) => {
        const type = resourceType(opts.entityType);
        await withAdmin(globals(cmd), async (admin) => {
          let list = await describeConfigs(admin, type, opts.entityName);
          if (opts.nonDefault) list = list.filter((c) => !c.isDefault);
          printTable(
            ['NAME', 'VALUE', 'SOURCE'],
            list.map((c) => [c.name, c.sensitive ? '(sensitive)' : (c.value ?? '(null)'), c.source]),
          );
        });
      }),
    );
  configs
    .command('alter')
    .description('set or delete configs of a topic or broker (IncrementalAlterConfigs)')
    .requiredOption('--entity-type <type>', 'topic or broker')
    .requiredOption('--entity-name <name>', 'topic name or broker id')
    .option('--set <key=value>', 'set a config (repeatable)', collect, [])
    .option('--delete <key>', 'remove a config, back to its default (repeatable)', collect, [])
    .action(
      act(async (opts: { entityType: string; entityName: string; set: string[]; delete: string[] }, cmd: Command) => {
        const type = resourceType(opts.entityType);
        await withAdmin(globals(cmd), (admin) => alterConfigs(admin, type, opts.entityName, opts.set, opts.delete));
        process.stdout.write(`altered configs of ${opts.entityType} ${opts.entityName}\n`);
      }),
    );
}
