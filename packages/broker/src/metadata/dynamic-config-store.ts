// Persistence of dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on BROKER resources), so they survive
// a restart as Kafka's do (Kafka keeps them in the KRaft metadata log; a single Sluice node keeps them in its data
// directory). One file, written atomically (temp file, fsync, rename, fsync of the directory):
//   sluice-dynamic-configs.json   {"version":1,"broker":{<name>:<value text>},"clusterDefault":{<name>:<value text>}}
// "broker" is the resource named by this node's id (DYNAMIC_BROKER_CONFIG), "clusterDefault" the resource with the
// empty name (DYNAMIC_DEFAULT_BROKER_CONFIG). Values are stored as AlterConfigs sent them and re-validated at start
// (BrokerConfig.withDynamic); a value a newer version no longer accepts is dropped with a log line, not fatal.
// Owner: main thread; written only on an AlterConfigs that changes a broker resource (rare).
import { existsSync, readFileSync } from 'node:fs';
import type { BrokerConfig } from '@sluice/config';
import { realFileOps } from '@sluice/storage';

export const DYNAMIC_CONFIGS_FILE = 'sluice-dynamic-configs.json';

export interface DynamicLayers {
  broker: Record<string, string>;
  clusterDefault: Record<string, string>;
}

export function loadDynamicConfigs(dataDir: string): DynamicLayers {
  const path = `${dataDir}/${DYNAMIC_CONFIGS_FILE}`;
  if (!existsSync(path)) return { broker: {}, clusterDefault: {} };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { version: number } & Partial<DynamicLayers>;
  if (parsed.version !== 1) throw new Error(`${path}: unsupported version ${parsed.version}`);
  return { broker: parsed.broker ?? {}, clusterDefault: parsed.clusterDefault ?? {} };
}

export function saveDynamicConfigs(dataDir: string, layers: DynamicLayers): void {
  const text = JSON.stringify({ version: 1, ...layers }, null, 1);
  realFileOps.writeFileAtomic(`${dataDir}/${DYNAMIC_CONFIGS_FILE}`, Buffer.from(text, 'utf8'));
}

/** The static config with the persisted dynamic layers applied; entries that no longer validate are dropped. */
export function withPersistedDynamic(
  config: BrokerConfig,
  layers: DynamicLayers,
  log: (m: string) => void,
): BrokerConfig {
  const all = config.withDynamic(layers);
  if (all.ok) return all.config;
  const kept: DynamicLayers = { broker: {}, clusterDefault: {} };
  for (const layer of ['broker', 'clusterDefault'] as const) {
    for (const [name, value] of Object.entries(layers[layer])) {
      const one = config.withDynamic({ [layer]: { [name]: value } });
      if (one.ok) kept[layer][name] = value;
      else log(`ignoring the dynamic broker config ${name}=${value}: ${one.errors.join('; ')}`);
    }
  }
  const retry = config.withDynamic(kept);
  return retry.ok ? retry.config : config;
}

/** The dynamic layers of a config, as saveDynamicConfigs stores them. */
export function dynamicLayersOf(config: BrokerConfig): DynamicLayers {
  return {
    broker: Object.fromEntries(config.dynamicBrokerConfigs),
    clusterDefault: Object.fromEntries(config.dynamicDefaultConfigs),
  };
}
