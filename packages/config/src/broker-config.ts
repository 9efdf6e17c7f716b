// Loading a broker's configuration: server.properties file < environment < --set overrides (all three are
// STATIC_BROKER_CONFIG, as in Kafka), then dynamic layers (AlterConfigs on the broker: per-broker, and cluster
// default) on top for dynamically updatable keys. Every unknown or invalid key is reported by name with the reason;
// Kafka keys Sluice ignores produce one warning each. Derived values follow KafkaConfig:
// logRetentionMs = log.retention.ms ?? minutes*60000 ?? hours*3600000 (negative -> -1); logRollMs likewise from
// log.roll.hours; logDirs = log.dirs ?? log.dir; listeners parsed into {name, host, port}.
// Environment: KAFKA_<KEY> (Kafka's docker convention: '_' -> '.', '__' -> '_', '___' -> '-') and SLUICE_<KEY>
// (-> sluice.<key>); Kafka's launcher variables (KAFKA_HEAP_OPTS, ...) are not configs and are skipped.
import { availableParallelism } from 'node:os';
import { BROKER_CONFIG_DEFS, type BrokerConfigName, brokerKeyKind } from './broker-configs.ts';
import {
  CONFIG_TYPE_IDS,
  type ConfigValue,
  defaultText,
  isSensitive,
  parseConfigValue,
  type ValueOfDef,
} from './config-def.ts';
import { ConfigSource, type ConfigSourceName, type ConfigSynonym, type DescribedConfig } from './config-source.ts';
import { readPropertiesFile } from './properties.ts';
import { brokerConfigSynonyms } from './topic-configs.ts';

export type BrokerConfigValue<K extends BrokerConfigName> = ValueOfDef<(typeof BROKER_CONFIG_DEFS)[K]>;

export interface Listener {
  /** Upper-case listener name (Kafka's ListenerName.normalised). */
  readonly name: string;
  /** '' means every interface, as in Kafka. IPv6 addresses without brackets. */
  readonly host: string;
  readonly port: number;
}

export interface LoadBrokerConfigOptions {
  file?: string;
  overrides?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Cores available; defaults to os.availableParallelism(). Only used to derive the shard count. */
  cpus?: number;
}

export type LoadBrokerConfigResult =
  | { ok: true; config: BrokerConfig; warnings: string[] }
  | { ok: false; errors: string[] };

const def = (name: string) =>
  (BROKER_CONFIG_DEFS as Record<string, (typeof BROKER_CONFIG_DEFS)[BrokerConfigName]>)[name];

const LAUNCHER_VARS = new Set([
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_DEBUG',
  'KAFKA_VERSION',
  'KAFKA_HOME',
  'KAFKA_JMX_HOSTNAME',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_LOG_DIR',
  'KAFKA_CLUSTER_ID',
  // Sluice's own process-level switch (@sluice/native: SLUICE_NATIVE=0 forces the JavaScript twins), not a config.
  'SLUICE_NATIVE',
]);

function envKey(suffix: string): string {
  return suffix
    .toLowerCase()
    .replaceAll('___', '-')
    .replaceAll('__', '\u0000')
    .replaceAll('_', '.')
    .replaceAll('\u0000', '_');
}

/** Config entries named by environment variables. */
export function configFromEnv(env: Record<string, string | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || LAUNCHER_VARS.has(k)) continue;
    if (k.startsWith('KAFKA_')) out.push([envKey(k.slice(6)), v]);
    else if (k.startsWith('SLUICE_')) out.push([`sluice.${envKey(k.slice(7))}`, v]);
  }
  return out;
}

const LISTENER_RE = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*?)\]?:(-?[0-9]+)$/;

/** Parses Kafka's listeners syntax; errors name the key. */
export function parseListeners(
  key: string,
  text: string | null,
): { ok: true; listeners: Listener[] } | { ok: false; error: string } {
  const listeners: Listener[] = [];
  if (text === null || text.trim() === '') return { ok: true, listeners };
  for (const part of text.split(/\s*,\s*/)) {
    const m = LISTENER_RE.exec(part.trim());
    const port = m ? Number(m[3]) : -1;
    if (!m || port < 0 || port > 65535)
      return {
        ok: false,
        error: `Invalid value ${text} for configuration ${key}: Unable to parse ${part} to a broker endpoint`,
      };
    const name = m[1].toUpperCase();
    if (listeners.some((l) => l.name === name))
      return {
        ok: false,
        error: `Invalid value ${text} for configuration ${key}: Each listener must have a different name`,
      };
    listeners.push({ name, host: m[2], port });
  }
  return { ok: true, listeners };
}

export class BrokerConfig {
  /** Values from file, environment and overrides (Kafka's STATIC_BROKER_CONFIG), canonical text. */
  readonly staticConfigs: ReadonlyMap<string, string>;
  /** AlterConfigs for this broker (DYNAMIC_BROKER_CONFIG). */
  readonly dynamicBrokerConfigs: ReadonlyMap<string, string>;
  /** AlterConfigs for the cluster default (DYNAMIC_DEFAULT_BROKER_CONFIG). */
  readonly dynamicDefaultConfigs: ReadonlyMap<string, string>;
  readonly nodeId: number;
  readonly logDirs: readonly string[];
  /** Listeners this broker serves (controller.listener.names removed). */
  readonly listeners: readonly Listener[];
  /** Listeners published in Metadata: advertised.listeners, else the served listeners. */
  readonly advertisedListeners: readonly Listener[];
  readonly shards: number;
  private readonly values = new Map<string, ConfigValue>();
  private readonly texts = new Map<string, string | null>();
  private readonly cpus: number;

  constructor(
    staticConfigs: ReadonlyMap<string, string>,
    dynamicBroker: ReadonlyMap<string, string> = new Map(),
    dynamicDefault: ReadonlyMap<string, string> = new Map(),
    cpus = availableParallelism(),
  ) {
    this.staticConfigs = staticConfigs;
    this.dynamicBrokerConfigs = dynamicBroker;
    this.dynamicDefaultConfigs = dynamicDefault;
    this.cpus = cpus;
    for (const name of Object.keys(BROKER_CONFIG_DEFS)) {
      const d = def(name);
      const layered = d.dynamic === 'read-only' ? undefined : (dynamicBroker.get(name) ?? dynamicDefault.get(name));
      const raw = layered ?? staticConfigs.get(name) ?? d.default;
      const parsed = parseConfigValue(name, d, raw);
      if (!parsed.ok) throw new Error(parsed.error); // layers are validated before construction
      this.values.set(name, parsed.value);
      this.texts.set(name, parsed.text);
    }
    const brokerId = this.get('broker.id');
    this.nodeId = !staticConfigs.has('node.id') && brokerId !== -1 ? brokerId : this.get('node.id');
    this.logDirs = this.get('log.dirs') ?? this.get('log.dir');
    const controllerNames = new Set(
      (this.get('controller.listener.names') ?? '').split(',').map((s) => s.trim().toUpperCase()),
    );
    const all = parseListeners('listeners', this.get('listeners'));
    this.listeners = all.ok ? all.listeners.filter((l) => !controllerNames.has(l.name)) : [];
    const adv = parseListeners('advertised.listeners', this.get('advertised.listeners'));
    this.advertisedListeners =
      adv.ok && adv.listeners.length > 0 ? adv.listeners.filter((l) => !controllerNames.has(l.name)) : this.listeners;
    this.shards = this.get('sluice.shards') ?? Math.max(1, Math.min(this.get('num.io.threads'), this.cpus - 1));
  }

  /** The effective, typed value of a key (dynamic layers apply only to dynamically updatable keys). */
  get<K extends BrokerConfigName>(name: K): BrokerConfigValue<K> {
    return this.values.get(name) as BrokerConfigValue<K>;
  }

  /** The effective value as DescribeConfigs prints it. */
  text(name: BrokerConfigName): string | null {
    return this.texts.get(name) ?? null;
  }

  /** KafkaConfig.logRetentionTimeMillis. */
  get logRetentionMs(): number {
    const ms = this.get('log.retention.ms') ?? (this.get('log.retention.minutes') ?? Number.NaN) * 60_000;
    const millis = Number.isNaN(ms) ? this.get('log.retention.hours') * 3_600_000 : ms;
    return millis < 0 ? -1 : millis;
  }

  /** KafkaConfig.logRollTimeMillis. */
  get logRollMs(): number {
    return this.get('log.roll.ms') ?? this.get('log.roll.hours') * 3_600_000;
  }

  /** KafkaConfig.logRollTimeJitterMillis. */
  get logRollJitterMs(): number {
    return this.get('log.roll.jitter.ms') ?? this.get('log.roll.jitter.hours') * 3_600_000;
  }

  /** KafkaConfig.logFlushIntervalMs. */
  get logFlushIntervalMs(): number {
    return this.get('log.flush.interval.ms') ?? this.get('log.flush.scheduler.interval.ms');
  }

  /**
   * A new snapshot with the given dynamic layers replaced (values as AlterConfigs sent them). Errors name the key:
   * unknown keys, invalid values, read-only keys, and per-broker keys set at the cluster default.
   */
  withDynamic(layers: {
    broker?: Record<string, string>;
    clusterDefault?: Record<string, string>;
  }): { ok: true; config: BrokerConfig } | { ok: false; errors: string[] } {
    const errors: string[] = [];
    const check = (
      entries: Record<string, string> | undefined,
      perBroker: boolean,
      current: ReadonlyMap<string, string>,
    ) => {
      if (!entries) return current;
      const out = new Map<string, string>();
      const readOnly: string[] = [];
      const notAtDefault: string[] = [];
      for (const [name, raw] of Object.entries(entries)) {
        const d = def(name);
        if (!d) {
          errors.push(`Unknown broker config name: ${name}`);
          continue;
        }
        if (d.dynamic === 'read-only') readOnly.push(name);
        else if (d.dynamic === 'per-broker' && !perBroker) notAtDefault.push(name);
        const parsed = parseConfigValue(name, d, raw);
        if (!parsed.ok) errors.push(parsed.error);
        else if (parsed.text !== null) out.set(name, parsed.text);
      }
      if (readOnly.length) errors.push(`Cannot update these configs dynamically: Set(${readOnly.join(', ')})`);
      if (notAtDefault.length)
        errors.push(
          `Cannot update these configs at default cluster level, broker id must be specified: Set(${notAtDefault.join(', ')})`,
        );
      return out;
    };
    const broker = check(layers.broker, true, this.dynamicBrokerConfigs);
    const clusterDefault = check(layers.clusterDefault, false, this.dynamicDefaultConfigs);
    if (errors.length) return { ok: false, errors };
    return { ok: true, config: new BrokerConfig(this.staticConfigs, broker, clusterDefault, this.cpus) };
  }

  /**
   * Kafka's configSynonyms: every synonym set in the dynamic broker layer, then the dynamic default layer, then the
   * static layer, then non-null defaults, dropping entries before the first one named `name`.
   */
  synonymsOf(name: string, synonymNames: readonly string[], sensitive = false): ConfigSynonym[] {
    const all: ConfigSynonym[] = [];
    const add = (map: ReadonlyMap<string, string | null>, source: ConfigSourceName) => {
      for (const n of synonymNames) {
        const v = map.get(n);
        if (v !== undefined && v !== null) all.push({ name: n, value: sensitive ? null : v, source });
      }
    };
    add(this.dynamicBrokerConfigs, 'DYNAMIC_BROKER_CONFIG');
    add(this.dynamicDefaultConfigs, 'DYNAMIC_DEFAULT_BROKER_CONFIG');
    add(this.staticConfigs, 'STATIC_BROKER_CONFIG');
    const defaults = new Map<string, string | null>();
    for (const n of synonymNames) if (def(n)) defaults.set(n, defaultText(n, def(n)));
    add(defaults, 'DEFAULT_CONFIG');
    const first = all.findIndex((s) => s.name === name);
    return first === -1 ? [] : all.slice(first);
  }

  /**
   * DescribeConfigs for a BROKER resource. `perBroker` false describes the cluster default resource (empty name):
   * only DYNAMIC_DEFAULT_BROKER_CONFIG synonyms count there, as in Kafka.
   */
  describe(options: { perBroker: boolean; names?: readonly string[] }): DescribedConfig[] {
    const names = options.names ?? Object.keys(BROKER_CONFIG_DEFS).sort();
    const out: DescribedConfig[] = [];
    for (const name of names) {
      const d = def(name);
      if (!d) continue;
      const sensitive = isSensitive(d);
      const synonyms = this.synonymsOf(name, brokerConfigSynonyms(name), sensitive).filter(
        (s) => options.perBroker || s.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG',
      );
      out.push({
        name,
        value: sensitive ? null : this.text(name as BrokerConfigName),
        source: synonyms[0]?.source ?? 'DEFAULT_CONFIG',
        isSensitive: sensitive,
        readOnly: d.dynamic === 'read-only',
        synonyms,
        type: d.type,
        configType: CONFIG_TYPE_IDS[d.type],
        documentation: d.documentation,
      });
    }
    return out;
  }
}

export function loadBrokerConfig(options: LoadBrokerConfigOptions = {}): LoadBrokerConfigResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const entries: Array<[string, string, string]> = []; // key, value, where
  if (options.file !== undefined) {
    const parsed = readPropertiesFile(options.file);
    if (!parsed.ok) return { ok: false, errors: [parsed.error] };
    for (const e of parsed.entries) entries.push([e.key, e.value, `${options.file}:${e.line}`]);
  }
  if (options.env) for (const [k, v] of configFromEnv(options.env)) entries.push([k, v, 'environment']);
  for (const [k, v] of Object.entries(options.overrides ?? {})) entries.push([k, v, '--set']);

  const staticConfigs = new Map<string, string>();
  for (const [key, value, where] of entries) {
    const kind = brokerKeyKind(key);
    if (kind === 'unknown' && where === 'environment') {
      // The environment is shared with every other program (SLUICE_NATIVE, KAFKA_BOOTSTRAP_SERVERS of a client...):
      // a variable that names no broker config is not the broker's business, so it is only mentioned.
      warnings.push(`${key}: environment variable names no broker config; ignored`);
      continue;
    }
    if (kind === 'unknown') {
      errors.push(`${key}: unknown broker config (${where}); neither a Kafka broker key nor a sluice.* key`);
      continue;
    }
    if (kind === 'ignored') {
      warnings.push(`${key}: Kafka broker config ignored by Sluice on a single node (${where})`);
      continue;
    }
    const parsed = parseConfigValue(key, def(key), value);
    if (!parsed.ok) errors.push(`${parsed.error} (${where})`);
    else if (parsed.text !== null) staticConfigs.set(key, parsed.text);
  }
  if (errors.length) return { ok: false, errors };

  // Cross-key checks Kafka makes in KafkaConfig.validateValues.
  const nodeId = staticConfigs.get('node.id');
  const brokerId = staticConfigs.get('broker.id');
  if (nodeId !== undefined && brokerId !== undefined && brokerId !== '-1' && brokerId !== nodeId)
    errors.push(
      `broker.id: If both node.id and broker.id are set, they must be equal (node.id=${nodeId}, broker.id=${brokerId})`,
    );
  const listenerText = staticConfigs.get('listeners') ?? defaultText('listeners', def('listeners'));
  const protocolMap = new Map<string, string>();
  for (const pair of (
    staticConfigs.get('listener.security.protocol.map') ??
    defaultText('listener.security.protocol.map', def('listener.security.protocol.map')) ??
    ''
  ).split(',')) {
    const [n, p] = pair.split(':').map((s) => s.trim());
    if (!n || !p)
      errors.push(`Invalid value ${pair} for configuration listener.security.protocol.map: expected LISTENER:PROTOCOL`);
    else protocolMap.set(n.toUpperCase(), p.toUpperCase());
  }
  for (const key of ['listeners', 'advertised.listeners'] as const) {
    const parsed = parseListeners(key, key === 'listeners' ? listenerText : (staticConfigs.get(key) ?? null));
    if (!parsed.ok) errors.push(parsed.error);
    else
      for (const l of parsed.listeners)
        if (!protocolMap.has(l.name))
          errors.push(`${key}: No security protocol defined for listener ${l.name} in listener.security.protocol.map`);
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, config: new BrokerConfig(staticConfigs, new Map(), new Map(), options.cpus), warnings };
}

/** The ConfigSource id of a source name. */
export function configSourceId(source: ConfigSourceName): number {
  return ConfigSource[source];
}
