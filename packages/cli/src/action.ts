// Wraps a command's action: runs it, and on failure prints the one-line explanation (errors.ts) prefixed with the
// command's path (`sluice topics create: ...`) and exits with its code. Also gives the global options.
import type { Command } from 'commander';
import { bootstrapOf, type GlobalOptions } from './client.ts';
import { explain } from './errors.ts';

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

// biome-ignore lint/suspicious/noExplicitAny: commander passes (args..., options, command)
export function act(fn: (...args: any[]) => Promise<void>): (...args: any[]) => Promise<void> {
  return async (...args) => {
    const cmd = args[args.length - 1] as Command;
    try {
      await fn(...args);
    } catch (err) {
      const { line, exitCode } = explain(err, bootstrapOf(globals(cmd)));
      process.stderr.write(`${commandPath(cmd)}: ${line}\n`);
      if (process.env.SLUICE_DEBUG) process.stderr.write(`${(err as Error).stack ?? err}\n`);
      process.exit(exitCode);
    }
  };
}
