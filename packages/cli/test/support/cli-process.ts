// Runs the `sluice` command as a real child process for tests, and starts the clusters it is tested against:
// a Sluice broker (packages/broker/test/support/broker-process.ts) or a real Apache Kafka (@sluice/testkit).
// Every run is bounded (30 s, then SIGKILL) and resolves with the exit code and both outputs.
import { spawn } from 'node:child_process';
import { startKafka } from '@sluice/testkit';
import { startBroker } from '../../../broker/test/support/broker-process.ts';

const CLI = new URL('../../bin/sluice.ts', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  bootstrap: string,
  args: string[],
  o: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return startCli(bootstrap, args, o).result;
}

/** Starts the command and gives its result and a way to interrupt it (SIGINT, as Ctrl-C). */
export function startCli(
  bootstrap: string,
  args: string[],
  o: { input?: string; timeoutMs?: number } = {},
): { result: Promise<CliResult>; interrupt(): void } {
  let interrupt = () => {};
  const result = new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--bootstrap-server', bootstrap], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SLUICE_BOOTSTRAP_SERVER: undefined },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not finish within ${o.timeoutMs ?? 30_000} ms: ${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can precede the last 'data' events; 'close' follows them.
      child.once('close', () => resolve({ code, stdout, stderr }));
    });
    child.stdin.end(o.input ?? '');
    interrupt = () => child.kill('SIGINT');
  });
  return { result, interrupt };
}

/** The rows of an aligned table printed by the CLI or Kafka's tools: lines split on runs of blanks. */
export function tableRows(text: string, header: string): string[][] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(header));
  if (at < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break;
    rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

export type TargetName = 'kafka' | 'sluice';

export interface Target {
  name: TargetName;
  bootstrap: string;
  stop(): Promise<void>;
}

export async function startTarget(name: TargetName): Promise<Target> {
  if (name === 'kafka') {
    const k = await startKafka();
    return { name, bootstrap: k.bootstrap, stop: () => k.stop() };
  }
  const b = await startBroker({ set: { 'num.partitions': '3' } });
  return { name, bootstrap: b.bootstrap, stop: () => b.dispose() };
}
