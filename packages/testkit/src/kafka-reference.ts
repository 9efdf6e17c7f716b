// Real Apache Kafka 4.x as a KRaft single node (combined broker + controller) for differential tests, golden-frame
// capture and benchmarks. Runs the jars scripts/setup fetched into tools/java/target/lib with /usr/bin/java:
//   1. `kafka.tools.StorageTool format --cluster-id <id> --config server.properties` formats the log directory;
//   2. `kafka.Kafka server.properties` starts the node, listening on 127.0.0.1 only (broker port + controller port,
//      both free ports unless given), heap -Xmx512m;
//   3. ready when the log says "Kafka Server started" and the broker port accepts a TCP connection (bounded by
//      startTimeoutMs, default 90 s; on timeout the JVM is killed and the call rejects with the log tail).
// stop() sends SIGTERM, SIGKILLs after 15 s, and removes the data directory when startKafka created it. A JVM still
// running when the test process exits is SIGKILLed (child-process.ts), so nothing is left behind.
// advertisedPort: what Metadata/FindCoordinator responses name as the broker's port; set it to a proxy's port so
// clients keep talking through the proxy (recording-proxy.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetDirectory, removeOnExit, runProcess, terminate, trackChild } from './child-process.ts';
import { freePort } from './free-port.ts';
import { javaBin, javaClasspath, javaLibDir } from './paths.ts';

export interface StartKafkaOptions {
  /** Broker (PLAINTEXT) port; a free port when omitted. */
  port?: number;
  /** Port advertised in Metadata/FindCoordinator responses; defaults to `port`. */
  advertisedPort?: number;
  /** Log directory parent; a fresh temporary directory (removed by stop()) when omitted. */
  dataDir?: string;
  /** Extra or overriding server.properties entries. */
  config?: Record<string, string | number | boolean>;
  /** JVM options; default small heap for a 2-core machine shared with clients. */
  jvmOptions?: string[];
  startTimeoutMs?: number;
}

export interface KafkaReference {
  /** "127.0.0.1:<advertisedPort>" — what clients should bootstrap from. */
  bootstrap: string;
  /** The broker's own listening port. */
  port: number;
  controllerPort: number;
  dataDir: string;
  /** Last lines of Kafka's console output, for error messages. */
  logTail(): string;
  stop(): Promise<void>;
}

/** Defaults chosen for one node on a small machine: replication 1 everywhere, no rebalance delay, 3 partitions. */
const DEFAULT_CONFIG: Record<string, string | number | boolean> = {
  'num.partitions': 3,
  'default.replication.factor': 1,
  'offsets.topic.replication.factor': 1,
  // 50 partitions by default; 1 keeps start-up and group coordinator loading quick.
  'offsets.topic.num.partitions': 1,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'transaction.state.log.num.partitions': 1,
  'share.coordinator.state.topic.replication.factor': 1,
  'share.coordinator.state.topic.min.isr': 1,
  'group.initial.rebalance.delay.ms': 0,
  'auto.create.topics.enable': true,
  'delete.topic.enable': true,
  'num.network.threads': 2,
  'num.io.threads': 2,
};

const DEFAULT_JVM = ['-Xmx512m', '-Xms128m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];

const LOG4J2 = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
`;

/** The reference broker's version, from the kafka_2.13-<version>.jar scripts/setup fetched ("unknown" without it). */
export function kafkaVersion(): string {
  try {
    const jar = readdirSync(javaLibDir).find((f) => /^kafka_[\d.]+-.+\.jar$/.test(f));
    return jar?.replace(/^kafka_[\d.]+-/, '').replace(/\.jar$/, '') ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaReference> {
  const port = opts.port ?? (await freePort());
  const controllerPort = await freePort();
  const advertisedPort = opts.advertisedPort ?? port;
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-kafka-'));
  mkdirSync(dataDir, { recursive: true });
  if (ownsDataDir) removeOnExit(dataDir);
  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;

  const config: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${advertisedPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dataDir, 'logs'),
    ...DEFAULT_CONFIG,
    ...opts.config,
  };
  const propsFile = join(dataDir, 'server.properties');
  writeFileSync(
    propsFile,
    `${Object.entries(config)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  const log4jFile = join(dataDir, 'log4j2.properties');
  writeFileSync(log4jFile, LOG4J2);
  const jvm = [...(opts.jvmOptions ?? DEFAULT_JVM), `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', javaClasspath()];

  const cleanup = () => {
    if (!ownsDataDir) return;
    rmSync(dataDir, { recursive: true, force: true });
    forgetDirectory(dataDir);
  };

  // Cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters), as `kafka-storage random-uuid`;
  // like Kafka's Uuid.randomUuid, never one starting with '-' (the argument parser would read it as an option).
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const format = await runProcess(
    javaBin,
    [
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      propsFile,
      '--ignore-formatted',
    ],
    { timeoutMs: 60_000 },
  );
  if (format.code !== 0) {
    cleanup();
    throw new Error(`kafka storage format failed (${format.code ?? format.signal}): ${format.stderr}${format.stdout}`);
  }

  const child = spawn(javaBin, [...jvm, 'kafka.Kafka', propsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const tail: string[] = [];
  const onData = (b: Buffer) => {
    for (const line of b.toString('utf8').split('\n')) if (line) tail.push(line);
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const logTail = () => tail.slice(-40).join('\n');

  try {
    await waitReady(child, port, tail, startTimeoutMs);
  } catch (error) {
    await terminate(child, 2_000);
    cleanup();
    throw new Error(`Kafka did not start: ${(error as Error).message}\n${logTail()}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    bootstrap: `127.0.0.1:${advertisedPort}`,
    port,
    controllerPort,
    dataDir,
    logTail,
    stop() {
      stopped ??= terminate(child, 15_000).then(cleanup);
      return stopped;
    },
  };
}

function waitReady(child: ChildProcess, port: number, tail: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`JVM exited (${code ?? signal})`));
    child.once('exit', onExit);
    let probing = false;
    const timer = setInterval(() => {
      if (Date.now() > deadline) return finish(new Error(`not ready after ${timeoutMs} ms`));
      if (probing || !tail.some((l) => l.includes('Kafka Server started'))) return;
      probing = true;
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        finish();
      });
      socket.once('error', () => {
        probing = false;
      });
    }, 100);
  });
}
