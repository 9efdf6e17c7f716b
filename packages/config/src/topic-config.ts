// Per-topic configuration: effective values (topic override, else the broker synonym, else Kafka's default),
// DescribeConfigs entries for a TOPIC resource with Kafka's sources and synonym order, validation with Kafka's
// INVALID_CONFIG messages, and IncrementalAlterConfigs ops (SET 0, DELETE 1, APPEND 2, SUBTRACT 3) as a pure
// function. Broker-side fallbacks follow KafkaConfig.extractLogConfigMap: retention.ms <- logRetentionMs
// (ms, minutes, hours), segment.ms <- logRollMs, segment.jitter.ms <- logRollJitterMs, flush.ms <- logFlushIntervalMs.
import type { BrokerConfig } from './broker-config.ts';
import { BROKER_CONFIG_DEFS, type BrokerConfigName } from './broker-configs.ts';
import { CONFIG_TYPE_IDS, type ConfigValue, isSensitive, parseConfigValue, type ValueOfDef } from './config-def.ts';
import type { DescribedConfig } from './config-source.ts';
import {
  REMOVED_TOPIC_CONFIGS,
  TOPIC_CONFIG_DEFS,
  TOPIC_CONFIG_NAMES,
  TOPIC_CONFIG_SYNONYMS,
  type TopicConfigName,
} from './topic-configs.ts';

export type TopicConfigValue<K extends TopicConfigName> = ValueOfDef<(typeof TOPIC_CONFIG_DEFS)[K]>;

/** Effective log settings of one topic, keyed by Kafka's topic config names. */
export type LogConfig = { readonly [K in TopicConfigName]: TopicConfigValue<K> } & {
  /** Names set on the topic itself. */
  readonly overriddenConfigs: ReadonlySet<TopicConfigName>;
};

export type TopicOverrides = Readonly<Record<string, string>>;

const topicDef = (name: string) =>
  (TOPIC_CONFIG_DEFS as Record<string, (typeof TOPIC_CONFIG_DEFS)[TopicConfigName]>)[name];
const isTopicConfig = (name: string): name is TopicConfigName => Object.hasOwn(TOPIC_CONFIG_DEFS, name);

/** The broker-derived value (text) a topic config falls back to. */
function brokerDefaultText(broker: BrokerConfig, name: TopicConfigName): string {
  switch (name) {
    case 'retention.ms':
      return String(broker.logRetentionMs);
    case 'segment.ms':
      return String(broker.logRollMs);
    case 'segment.jitter.ms':
      return String(broker.logRollJitterMs);
    case 'flush.ms':
      return broker.text('log.flush.interval.ms') ?? (broker.text('log.flush.scheduler.interval.ms') as string);
  }
  const synonym = TOPIC_CONFIG_SYNONYMS[name]?.[0]?.name;
  if (synonym && Object.hasOwn(BROKER_CONFIG_DEFS, synonym)) {
    const t = broker.text(synonym as BrokerConfigName);
    if (t !== null) return t;
  }
  return topicDef(name).default as string;
}

/** Effective value text of every topic config (overrides already validated). */
function effectiveTexts(broker: BrokerConfig, overrides: TopicOverrides): Map<TopicConfigName, string> {
  const out = new Map<TopicConfigName, string>();
  for (const name of TOPIC_CONFIG_NAMES) {
    const override = overrides[name];
    if (override !== undefined) {
      const parsed = parseConfigValue(name, topicDef(name), override);
      if (parsed.ok && parsed.text !== null) {
        out.set(name, parsed.text);
        continue;
      }
    }
    out.set(name, brokerDefaultText(broker, name));
  }
  return out;
}

/** Kafka's LogConfig for a topic. Invalid overrides are skipped (validate them first with validateTopicConfigs). */
export function resolveTopicConfig(broker: BrokerConfig, overrides: TopicOverrides = {}): LogConfig {
  const values: Record<string, ConfigValue> = {};
  for (const [name, text] of effectiveTexts(broker, overrides)) {
    const parsed = parseConfigValue(name, topicDef(name), text);
    values[name] = parsed.ok ? parsed.value : null;
  }
  const overridden = new Set(Object.keys(overrides).filter(isTopicConfig));
  return Object.freeze({ ...values, overriddenConfigs: overridden }) as unknown as LogConfig;
}

/** DescribeConfigs for a TOPIC resource (ConfigHelper.createTopicConfigEntry). Topic configs are never read-only. */
export function describeTopicConfig(
  broker: BrokerConfig,
  overrides: TopicOverrides = {},
  names: readonly string[] = TOPIC_CONFIG_NAMES,
): DescribedConfig[] {
  const texts = effectiveTexts(broker, overrides);
  const out: DescribedConfig[] = [];
  for (const name of names) {
    if (!isTopicConfig(name)) continue;
    const d = topicDef(name);
    const sensitive = isSensitive(d);
    const value = sensitive ? null : (texts.get(name) ?? null);
    const brokerSynonyms = TOPIC_CONFIG_SYNONYMS[name]?.map((s) => s.name) ?? [];
    const synonyms = [
      ...(overrides[name] !== undefined ? [{ name, value, source: 'TOPIC_CONFIG' as const }] : []),
      ...(brokerSynonyms.length ? broker.synonymsOf(brokerSynonyms[0], brokerSynonyms, sensitive) : []),
    ];
    out.push({
      name,
      value,
      source: synonyms[0]?.source ?? 'DEFAULT_CONFIG',
      isSensitive: sensitive,
      readOnly: false,
      synonyms,
      type: d.type,
      configType: CONFIG_TYPE_IDS[d.type],
      documentation: d.documentation,
    });
  }
  return out;
}

/**
 * Validates topic overrides as CreateTopics / AlterConfigs do (LogConfig.validate): unknown names, type and range
 * errors, min.compaction.lag.ms <= max.compaction.lag.ms, and remote storage (which Sluice does not offer).
 * Each message is what Kafka returns with INVALID_CONFIG. Removed 4.0 names (message.format.version) pass.
 */
export function validateTopicConfigs(overrides: TopicOverrides, broker?: BrokerConfig): string[] {
  const errors: string[] = [];
  for (const [name, raw] of Object.entries(overrides)) {
    if (REMOVED_TOPIC_CONFIGS.has(name)) continue;
    if (!isTopicConfig(name)) {
      errors.push(`Unknown topic config name: ${name}`);
      continue;
    }
    const parsed = parseConfigValue(name, topicDef(name), raw);
    if (!parsed.ok) errors.push(parsed.error);
  }
  if (errors.length) return errors;
  const effective = broker ? resolveTopicConfig(broker, overrides) : undefined;
  const num = (name: TopicConfigName) => {
    if (effective) return effective[name] as number;
    const parsed = parseConfigValue(name, topicDef(name), overrides[name] ?? topicDef(name).default);
    return parsed.ok ? (parsed.value as number) : 0;
  };
  const minLag = num('min.compaction.lag.ms');
  const maxLag = num('max.compaction.lag.ms');
  if (minLag > maxLag)
    errors.push(`conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`);
  if (overrides['remote.storage.enable']?.trim().toLowerCase() === 'true')
    errors.push(
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    );
  return errors;
}

/** The overrides minus names Kafka 4.0 removed but still accepts (dropped, as Kafka drops them). */
export function topicOverridesWithoutRemoved(overrides: TopicOverrides): Record<string, string> {
  return Object.fromEntries(Object.entries(overrides).filter(([k]) => !REMOVED_TOPIC_CONFIGS.has(k)));
}

export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
export type AlterConfigOpType = (typeof AlterConfigOp)[keyof typeof AlterConfigOp];

export interface IncrementalAlterOp {
  readonly name: string;
  readonly op: AlterConfigOpType;
  /** Null only for DELETE. */
  readonly value: string | null;
}

/**
 * IncrementalAlterConfigs on a stored override map (ConfigurationControlManager.incrementalAlterConfigResource):
 * APPEND adds the comma-separated values not yet present, SUBTRACT removes them; both start from the stored
 * value, else the config's own default, and apply only to LIST configs. `defs` names the resource's configs
 * (topic configs by default). Returns the new override map; the caller validates it (validateTopicConfigs).
 */
export function applyIncrementalAlterOps(
  current: TopicOverrides,
  ops: readonly IncrementalAlterOp[],
  defs: Readonly<Record<string, { type: string; default: string | null }>> = TOPIC_CONFIG_DEFS,
): { ok: true; configs: Record<string, string> } | { ok: false; error: string } {
  const next: Record<string, string> = { ...current };
  for (const { name, op, value } of ops) {
    switch (op) {
      case AlterConfigOp.SET:
        if (value === null) return { ok: false, error: `Null value not supported for : ${name}` };
        next[name] = value;
        break;
      case AlterConfigOp.DELETE:
        delete next[name];
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        const opName = op === AlterConfigOp.APPEND ? 'APPEND' : 'SUBTRACT';
        const d = defs[name];
        if (d?.type !== 'list')
          return { ok: false, error: `Can't ${opName} to key ${name} because its type is not LIST.` };
        const base = next[name] ?? d.default ?? '';
        const parts = base.split(',').filter((s) => s !== '');
        for (const v of (value ?? '').split(',')) {
          if (op === AlterConfigOp.APPEND) {
            if (!parts.includes(v)) parts.push(v);
          } else {
            const i = parts.indexOf(v);
            if (i !== -1) parts.splice(i, 1);
          }
        }
        next[name] = parts.join(',');
        break;
      }
      default:
        return { ok: false, error: `Unknown alter config operation ${op as number} for ${name}` };
    }
  }
  return { ok: true, configs: next };
}
