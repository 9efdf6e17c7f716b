// The client scenario every client runner performs, and the JSON each one returns. One scenario, many clients, so
// their wire traffic and results can be compared (captured as golden frames; run against Kafka and Sluice alike):
//   1. create the topic with 3 partitions (skipped by clients without an admin API, and with skipAdmin);
//   2. for each codec: an idempotent producer (InitProducerId) sends `count` records, record i has
//      key "<codec>-<i>", value "<client> <codec> <i>" + VALUE_PADDING, headers [codec=<codec>, client=<client>];
//   3. a consumer group (FindCoordinator, JoinGroup, SyncGroup, Fetch) reads every record from the beginning and
//      commits its offsets (OffsetCommit);
//   4. ListOffsets earliest and latest of each partition, and the committed offsets (OffsetFetch);
//   5. delete the topic (when created in 1).
// Variants (ScenarioOptions): `assign` reads back by manual partition assignment instead of a group (no
// FindCoordinator/JoinGroup/OffsetCommit; committed is -1); `idempotent: false` produces with acks=all and no
// InitProducerId; `configs` adds DescribeConfigs of the topic's retention.ms, IncrementalAlterConfigs (or
// AlterConfigs where the client has no incremental API) to CONFIGS_ALTERED_RETENTION_MS, and DescribeConfigs again.

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const ALL_CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * Appended to every value so that even a one-record batch shrinks when compressed: librdkafka and franz-go send a
 * batch uncompressed when compressing would not make it smaller, and a 20-byte value never gets smaller.
 */
export const VALUE_PADDING = ' sluice'.repeat(20);

/** The value of record i of a codec's run (step 2). */
export function scenarioValue(client: string, codec: string, i: number): string {
  return `${client} ${codec} ${i}${VALUE_PADDING}`;
}

export interface ScenarioOptions {
  bootstrap: string;
  topic: string;
  /** Consumer group id; defaults to "<topic>-group". */
  group?: string;
  /** Codecs to produce with; defaults to every codec the client offers. */
  codecs?: readonly Codec[];
  /** Records per codec; default 3. */
  count?: number;
  /** Skip CreateTopics/DeleteTopics (the topic exists or is auto-created). */
  skipAdmin?: boolean;
  /** Bound on the whole run; default 120 s. */
  timeoutMs?: number;
  /** Read back by manual partition assignment, without a consumer group; default false. */
  assign?: boolean;
  /** Idempotent producer (InitProducerId); default true. */
  idempotent?: boolean;
  /** Describe and alter the topic's retention.ms after creating it (result.configs); default false. */
  configs?: boolean;
}

/** What the `configs` variant sets retention.ms to (1 hour; Kafka's default is 604800000, 7 days). */
export const CONFIGS_ALTERED_RETENTION_MS = '3600000';

export interface ScenarioRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string]>;
}

export interface ScenarioResult {
  client: string;
  clientVersion: string;
  topic: string;
  produced: Array<{ codec: string; key: string; partition: number; offset: number }>;
  consumed: ScenarioRecord[];
  /** By partition number. committed is -1 when the group has no offset for the partition. */
  offsets: Record<string, { earliest: number; latest: number; committed: number }>;
  deleted: boolean;
  /** retention.ms as described before and after altering it (the `configs` variant only). */
  configs?: { before: string | null; after: string | null };
}

export interface ExpectedRecord {
  codec: Codec;
  key: string;
  value: string;
  headers: Array<[string, string]>;
}

/** The records a client sends in step 2, in send order. */
export function expectedRecords(client: string, codecs: readonly Codec[], count = 3): ExpectedRecord[] {
  const records: ExpectedRecord[] = [];
  for (const codec of codecs) {
    for (let i = 0; i < count; i++) {
      records.push({
        codec,
        key: `${codec}-${i}`,
        value: scenarioValue(client, codec, i),
        headers: [
          ['codec', codec],
          ['client', client],
        ],
      });
    }
  }
  return records;
}

/** Parses the last JSON line of a client program's stdout, with its stderr in the error when there is none. */
export function parseScenarioOutput(client: string, stdout: string, stderr: string, exit: string): ScenarioResult {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined)
    throw new Error(`${client} scenario failed (${exit}): ${stderr.slice(-4000)}${stdout.slice(-2000)}`);
  return JSON.parse(line) as ScenarioResult;
}
