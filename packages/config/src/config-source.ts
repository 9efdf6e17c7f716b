// DescribeConfigs ConfigSource ids (v1+), as Kafka's DescribeConfigsResponse.ConfigSource numbers them.
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const;
export type ConfigSourceName = keyof typeof ConfigSource;

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSourceName;
}

/** One DescribeConfigs result entry; `configType` is the DescribeConfigs ConfigType id (KIP-569). */
export interface DescribedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSourceName;
  readonly isSensitive: boolean;
  readonly readOnly: boolean;
  readonly synonyms: readonly ConfigSynonym[];
  readonly type: string;
  readonly configType: number;
  readonly documentation: string;
}
