// `sluice broker [--config FILE] [--set key=value]...` runs a single-node broker in the foreground: configuration
// from a Kafka server.properties file, then SLUICE_*/KAFKA_* environment variables, then each --set (packages/config
// loadBrokerConfig); every unknown or invalid key is reported by name and the broker does not start (exit 2).
// Prints one line when ready:
//   sluice broker ready on 127.0.0.1:9092 (data ./data)
// SIGTERM / SIGINT stop it cleanly (stop accepting, answer in-flight requests, flush and close the logs, write the
// clean-shutdown marker), then exit 0. A second signal exits at once (exit 130); the next start recovers the logs.
// Logs: pino (sluice.log.level), JSON lines on stderr, readable text when stderr is a terminal; config errors before
// the broker loads stay plain `sluice broker: ...` lines; config warnings go through the logger.
// The only command that imports the broker; all others speak the Kafka protocol to any cluster.
import type { Broker, LogLevel } from '@sluice/broker';
import { loadBrokerConfig } from '@sluice/config';
import type { Command } from 'commander';
import { collect } from '../format.ts';

async function runBroker(opts: { config?: string; set: string[] }): Promise<void> {
  const overrides: Record<string, string> = {};
  for (const pair of opts.set) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      process.stderr.write(`sluice broker: --set ${pair}: expected key=value\n`);
      process.exit(2);
    }
    overrides[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  const loaded = loadBrokerConfig({ file: opts.config, overrides, env: process.env });
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`sluice broker: ${e}\n`);
    process.exit(2);
  }
  // Loaded here, not at the top: the other commands never load the broker.
  const { Broker: BrokerClass, brokerLog, createLogger } = await import('@sluice/broker');
  const logger = createLogger({
    level: loaded.config.get('sluice.log.level') as LogLevel,
    base: { nodeId: loaded.config.nodeId },
  });
  for (const w of loaded.warnings) logger.warn(w);
  let broker: Broker;
  try {
    broker = await BrokerClass.start({ config: loaded.config, log: brokerLog(logger) });
  } catch (err) {
    process.stderr.write(`sluice broker: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, `${signal} again, exiting without a clean shutdown`);
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, `${signal}, stopping`);
    broker.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Handlers first, then the ready line: whoever reads it may signal at once (on a busy machine, before this
  // process runs again), and a signal without a handler would kill it without a clean stop.
  const addresses = broker.listeners.map((l) => `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`);
  process.stdout.write(`sluice broker ready on ${addresses.join(', ')} (data ${broker.dataDir})\n`);
  logger.info({ listeners: addresses, dataDir: broker.dataDir, metrics: broker.metricsEndpoint?.port }, 'ready');
}

export function registerBroker(program: Command): void {
  program
    .command('broker')
    .description('run a single-node broker in the foreground')
    .option('--config <file>', 'Kafka server.properties file')
    .option('--set <key=value>', 'a config value (repeatable; overrides the file and the environment)', collect, [])
    .action(runBroker);
}
