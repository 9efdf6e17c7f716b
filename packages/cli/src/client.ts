// Connecting to a cluster: every command but `sluice broker` talks the Kafka protocol through @platformatic/kafka.
// --bootstrap-server host:port[,host:port] (else env SLUICE_BOOTSTRAP_SERVER, else 127.0.0.1:9092).
// --command-config FILE is a Java .properties file of client settings, as Kafka's tools take. Understood keys:
//   client.id, request.timeout.ms, security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL),
//   sasl.mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), sasl.jaas.config (username="..." password="..."),
//   ssl.endpoint.identification.algorithm (empty = do not check the host name).
// Any other key is reported as ignored (a warning, not an error: the same file serves Kafka's own tools).
import { readFileSync } from 'node:fs';
import { Admin, type BaseOptions } from '@platformatic/kafka';
import { parseProperties } from '@sluice/config';
import { usage } from './errors.ts';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface GlobalOptions {
  bootstrapServer?: string;
  commandConfig?: string;
}

export function bootstrapOf(g: GlobalOptions): string {
  return g.bootstrapServer ?? process.env.SLUICE_BOOTSTRAP_SERVER ?? DEFAULT_BOOTSTRAP;
}

const KNOWN = new Set([
  'client.id',
  'request.timeout.ms',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.endpoint.identification.algorithm',
]);

/** Client options for @platformatic/kafka from the global options. Throws CliError (exit 2) on a bad file. */
export function clientOptions(g: GlobalOptions, clientId = 'sluice-cli'): BaseOptions {
  const options: BaseOptions = {
    clientId,
    bootstrapBrokers: bootstrapOf(g)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    // A command-line tool should fail within seconds, not retry for a minute: 3 tries, 250 ms apart.
    retries: 3,
    retryDelay: 250,
    connectTimeout: 5_000,
    requestTimeout: 30_000,
  };
  if (!g.commandConfig) return options;
  let text: string;
  try {
    text = readFileSync(g.commandConfig, 'utf8');
  } catch (err) {
    throw usage(`--command-config ${g.commandConfig}: ${(err as Error).message}`);
  }
  const parsed = parseProperties(text);
  if (!parsed.ok) throw usage(`--command-config ${g.commandConfig}: ${parsed.error}`);
  const props = new Map(parsed.entries.map((e) => [e.key, e.value]));
  for (const key of props.keys()) {
    if (!KNOWN.has(key)) process.stderr.write(`sluice: warning: --command-config: ${key} is ignored\n`);
  }
  if (props.has('client.id')) options.clientId = props.get('client.id') as string;
  if (props.has('request.timeout.ms')) {
    const ms = Number(props.get('request.timeout.ms'));
    if (!Number.isInteger(ms) || ms <= 0)
      throw usage('--command-config: request.timeout.ms must be a positive integer');
    options.requestTimeout = ms;
  }
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw usage(
      `--command-config: security.protocol ${protocol} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`,
    );
  }
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    options.tls = {};
    if (props.get('ssl.endpoint.identification.algorithm') === '') options.tlsServerName = false;
  }
  if (protocol.startsWith('SASL_')) {
    const mechanism = (props.get('sasl.mechanism') ?? 'PLAIN').toUpperCase();
    if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mechanism)) {
      throw usage(`--command-config: sasl.mechanism ${mechanism} is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`);
    }
    const jaas = props.get('sasl.jaas.config') ?? '';
    const username = /username\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
    const password = /password\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
    if (username === undefined || password === undefined) {
      throw usage('--command-config: sasl.jaas.config needs username="..." and password="..."');
    }
    options.sasl = { mechanism: mechanism as 'PLAIN', username, password };
  }
  return options;
}

/** Runs fn with an Admin client and always closes it. */
export async function withAdmin<T>(g: GlobalOptions, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(clientOptions(g));
  try {
    return await fn(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}

/** API keys the cluster advertises (ApiVersions), to skip what it lacks instead of failing. */
export async function advertisedApis(admin: Admin): Promise<Set<number>> {
  const apis = await admin.listApis();
  return new Set(apis.map((a) => a.apiKey));
}

export const ApiKey = {
  ListOffsets: 2,
  DescribeConfigs: 32,
  DescribeLogDirs: 35,
  CreatePartitions: 37,
  IncrementalAlterConfigs: 44,
} as const;
