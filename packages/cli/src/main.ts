// The command tree of `sluice` (bin/sluice.ts loads it after turning on Node's compile cache): global options,
// one register* per command family, usage errors mapped to exit 2 (errors.ts lists the codes).
import { Command, type CommanderError } from 'commander';
import { registerBroker } from './commands/broker.ts';
import { registerCluster } from './commands/cluster.ts';
import { registerConfigs } from './commands/configs.ts';
import { registerConsume } from './commands/consume.ts';
import { registerGroups } from './commands/groups.ts';
import { registerPerf } from './commands/perf.ts';
import { registerProduce } from './commands/produce.ts';
import { registerTopics } from './commands/topics.ts';
import { ExitCode } from './errors.ts';

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
