// Child processes for tests: every process started here is SIGKILLed when the test process exits (normally, on an
// uncaught exception, or on SIGINT/SIGTERM/SIGHUP, which are then re-raised), and every wait is bounded. Only a
// SIGKILL of the test process itself can leave a child behind. runProcess runs a command to completion within timeoutMs (SIGTERM, then SIGKILL 2 s
// later) and returns its output; it never throws for a non-zero exit, so callers report stderr.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const live = new Set<ChildProcess>();
const directories = new Set<string>();
let exitHookInstalled = false;

function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
}

/** Registers a temporary directory to remove if this process exits before forgetDirectory(dir). */
export function removeOnExit(dir: string): void {
  installExitHook();
  directories.add(dir);
}

export function forgetDirectory(dir: string): void {
  directories.delete(dir);
}

/** Registers a child so that it is SIGKILLed if this process exits before the child does. */
export function trackChild(child: ChildProcess): void {
  installExitHook();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function installExitHook(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = () => {
        killAll();
        // Re-raise with the default action, so the process still ends as the signal intends.
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      };
      process.once(signal, onSignal);
    }
  }
}

/** Sends SIGTERM, then SIGKILL after graceMs; resolves once the child has exited. */
export function terminate(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
}

export function runProcess(command: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'pipe' });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    const timer = setTimeout(() => {
      timedOut = true;
      void terminate(child, 2_000);
    }, opts.timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}
