#!/usr/bin/env node
// The `sluice` command: `sluice broker` runs a broker; every other command is a client of any Kafka-compatible
// cluster over the Kafka protocol (@platformatic/kafka): topics, produce, consume, groups, configs, perf, cluster
// info, api-versions. Global options (before or after the command): --bootstrap-server host:port[,...] (env
// SLUICE_BOOTSTRAP_SERVER, default 127.0.0.1:9092) and --command-config FILE (client properties, src/client.ts).
// Exit codes are listed in src/errors.ts (0 ok, 1 Kafka error, 2 usage, 3 unreachable, 4 unsupported, 5 not found,
// 130 interrupted); `--help` works on every command.
import { Command, type CommanderError } from 'commander';
import { registerBroker } from '../src/commands/broker.ts';
import { registerCluster } from '../src/commands/cluster.ts';
import { registerConfigs } from '../src/commands/configs.ts';
import { registerConsume } from '../src/commands/consume.ts';
import { registerGroups } from '../src/commands/groups.ts';
import { registerPerf } from '../src/commands/perf.ts';
import { registerProduce } from '../src/commands/produce.ts';
import { registerTopics } from '../src/commands/topics.ts';
import { ExitCode } from '../src/errors.ts';

// `sluice ... | head`: a closed stdout ends the command quietly, as other Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  throw err;
});

const program = new Command('sluice')
  .description('Sluice, a Kafka-compatible event-streaming platform')
  .option('--bootstrap-server <host:port>', 'cluster to talk to (env SLUICE_BOOTSTRAP_SERVER; default 127.0.0.1:9092)')
  .option('--command-config <file>', 'client settings, Java properties (security.protocol, sasl.*, client.id, ...)')
  .showHelpAfterError()
  // Usage errors exit 2 (commander's default is 1, which means "the cluster refused" here); help exits 0.
  .exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE);
  });
registerBroker(program);
registerTopics(program);
registerProduce(program);
registerConsume(program);
registerGroups(program);
registerConfigs(program);
registerPerf(program);
registerCluster(program);
await program.parseAsync(process.argv);
