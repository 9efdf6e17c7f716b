// How the sluice command fails: one line on stderr, `sluice <command>: <KAFKA_ERROR_NAME>: <what happened> — <what
// to do>`, and an exit code a script can branch on:
//   0  success
//   1  the cluster refused the operation (a Kafka error code, e.g. TOPIC_ALREADY_EXISTS, NON_EMPTY_GROUP)
//   2  usage: unknown option, bad value, unreadable --command-config or input file
//   3  the cluster could not be reached or did not answer in time (connection refused, DNS, request timeout)
//   4  the cluster does not implement an API the command needs (UNSUPPORTED_VERSION, API not advertised)
//   5  not found: the named topic or group does not exist
// 130 interrupted (SIGINT) before the command finished.
// Errors from @platformatic/kafka carry Kafka's error name in `apiId` (ProtocolError), possibly nested in an
// AggregateError (ResponseError / MultipleErrors) or a `cause` chain; findKafkaError walks both.

export const ExitCode = {
  OK: 0,
  KAFKA_ERROR: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  UNSUPPORTED: 4,
  NOT_FOUND: 5,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the command already knows how to explain. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly kafkaName: string | undefined;
  constructor(message: string, exitCode: number, kafkaName?: string) {
    super(message);
    this.exitCode = exitCode;
    this.kafkaName = kafkaName;
  }
}

export function usage(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}

/** What to do about a Kafka error, by Kafka's name. */
const HINTS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'check the name with `sluice topics list`',
  UNKNOWN_TOPIC_ID: 'check the name with `sluice topics list`',
  TOPIC_ALREADY_EXISTS: 'pick another name, or pass --if-not-exists',
  INVALID_TOPIC_EXCEPTION: 'topic names are 1-249 characters of [a-zA-Z0-9._-]',
  INVALID_PARTITIONS: 'the partition count must be positive (add-partitions: larger than the current count)',
  INVALID_REPLICATION_FACTOR: 'the replication factor cannot exceed the number of brokers (`sluice cluster info`)',
  INVALID_CONFIG: 'check the key and value with `sluice configs describe`',
  POLICY_VIOLATION: "the cluster's create/alter policy refused it; ask its operator",
  GROUP_ID_NOT_FOUND: 'check the name with `sluice groups list`',
  NON_EMPTY_GROUP: "stop the group's consumers first (`sluice groups describe` lists them)",
  UNKNOWN_MEMBER_ID: "stop the group's consumers first (`sluice groups describe` lists them)",
  GROUP_SUBSCRIBED_TO_TOPIC: 'stop the consumers subscribed to the topic first',
  COORDINATOR_NOT_AVAILABLE: 'the group coordinator is loading; retry in a few seconds',
  COORDINATOR_LOAD_IN_PROGRESS: 'the group coordinator is loading; retry in a few seconds',
  NOT_COORDINATOR: 'the coordinator moved; retry',
  NOT_LEADER_OR_FOLLOWER: 'leadership is moving; retry',
  LEADER_NOT_AVAILABLE: 'leadership is moving; retry',
  TOPIC_AUTHORIZATION_FAILED: 'check the credentials in --command-config and the ACLs',
  GROUP_AUTHORIZATION_FAILED: 'check the credentials in --command-config and the ACLs',
  CLUSTER_AUTHORIZATION_FAILED: 'check the credentials in --command-config and the ACLs',
  SASL_AUTHENTICATION_FAILED: 'check sasl.jaas.config / sasl.mechanism in --command-config',
  UNSUPPORTED_VERSION: 'the cluster does not implement this API (`sluice api-versions` lists what it does)',
  MESSAGE_TOO_LARGE: 'lower the record size or raise max.message.bytes on the topic',
  RECORD_LIST_TOO_LARGE: 'lower the record size or raise max.message.bytes on the topic',
  INVALID_REQUIRED_ACKS: 'acks must be -1 (all), 0 or 1',
  OFFSET_OUT_OF_RANGE: 'the offset is outside [log start, log end]; see `sluice topics describe`',
  REQUEST_TIMED_OUT: 'the cluster is slow or overloaded; retry',
  UNKNOWN_SERVER_ERROR: "see the broker's log",
};

interface Found {
  name: string;
  message: string;
}

function findKafkaError(err: unknown, depth = 0): Found | undefined {
  if (depth > 8 || err === null || typeof err !== 'object') return undefined;
  const e = err as { apiId?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.apiId === 'string' && e.apiId !== 'NONE') return { name: e.apiId, message: String(e.message ?? '') };
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = findKafkaError(inner, depth + 1);
      if (found) return found;
    }
  }
  return findKafkaError(e.cause, depth + 1);
}

function hasCode(err: unknown, codes: string[], depth = 0): boolean {
  if (depth > 8 || err === null || typeof err !== 'object') return false;
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && codes.includes(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some((i) => hasCode(i, codes, depth + 1))) return true;
  return hasCode(e.cause, codes, depth + 1);
}

function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown; errors?: unknown[] } | undefined;
  let message = e?.message ?? String(err);
  for (let i = 0; i < 8 && e; i++) {
    const next = (e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined)) as typeof e;
    if (!next) break;
    if (next.message) message = next.message;
    e = next;
  }
  return message;
}

/** Turns anything thrown into the one line to print and the exit code. */
export function explain(err: unknown, bootstrap: string): { line: string; exitCode: number } {
  if (err instanceof CliError) {
    const hint = err.kafkaName ? HINTS[err.kafkaName] : undefined;
    return {
      line: `${err.kafkaName ? `${err.kafkaName}: ` : ''}${err.message}${hint ? ` — ${hint}` : ''}`,
      exitCode: err.exitCode,
    };
  }
  const kafka = findKafkaError(err);
  if (kafka) {
    const hint = HINTS[kafka.name];
    let exitCode: number = ExitCode.KAFKA_ERROR;
    if (kafka.name === 'UNSUPPORTED_VERSION') exitCode = ExitCode.UNSUPPORTED;
    else if (kafka.name === 'UNKNOWN_TOPIC_OR_PARTITION' || kafka.name === 'GROUP_ID_NOT_FOUND') {
      exitCode = ExitCode.NOT_FOUND;
    }
    return { line: `${kafka.name}: ${kafka.message}${hint ? ` — ${hint}` : ''}`, exitCode };
  }
  if (hasCode(err, ['PLT_KFK_UNSUPPORTED_API', 'PLT_KFK_UNSUPPORTED'])) {
    return {
      line: `UNSUPPORTED_VERSION: ${innermostMessage(err)} — ${HINTS.UNSUPPORTED_VERSION}`,
      exitCode: ExitCode.UNSUPPORTED,
    };
  }
  if (hasCode(err, ['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'])) {
    return {
      line: `cannot reach ${bootstrap}: ${innermostMessage(err)} — check --bootstrap-server (or SLUICE_BOOTSTRAP_SERVER) and that the cluster is up`,
      exitCode: ExitCode.UNREACHABLE,
    };
  }
  // @platformatic/kafka turns Metadata's UNKNOWN_TOPIC_OR_PARTITION into a UserError("Unknown topic t.").
  const unknownTopic = /^Unknown topic (.*)\.$/.exec(innermostMessage(err));
  if (unknownTopic) {
    return {
      line: `UNKNOWN_TOPIC_OR_PARTITION: topic ${unknownTopic[1]} does not exist — ${HINTS.UNKNOWN_TOPIC_OR_PARTITION}`,
      exitCode: ExitCode.NOT_FOUND,
    };
  }
  return { line: innermostMessage(err), exitCode: ExitCode.KAFKA_ERROR };
}
