// Runs `sluice broker` as a real child process for tests: `node packages/cli/bin/sluice.ts broker --set ...` on a
// free 127.0.0.1 port with a temporary data directory (or a given one, to restart on the same data). Resolves once
// the ready line is printed. stop() sends SIGTERM (clean stop), kill() SIGKILL; both wait for the exit. Every
// broker started here is SIGKILLed if the test process exits first. Waits are bounded.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = new URL('../../../cli/bin/sluice.ts', import.meta.url).pathname;
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-broker-test-'));
}

export interface BrokerProcess {
  readonly port: number;
  readonly bootstrap: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the broker wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 15 s). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** stop() and delete the data directory. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  set?: Record<string, string>;
  timeoutMs?: number;
}

export async function startBroker(o: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = o.dataDir ?? tempDataDir();
  const port = o.port ?? (await freePort());
  const settings: Record<string, string> = {
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': dataDir,
    ...o.set,
  };
  // --max-semi-space-size=16: the Node flag every broker launcher passes (why: the comment in src/broker.ts).
  const args = ['--max-semi-space-size=16', CLI, 'broker'];
  for (const [k, v] of Object.entries(settings)) args.push('--set', `${k}=${v}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let err = '';
  let out = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker not ready within ${o.timeoutMs ?? 20_000} ms: ${err}`));
    }, o.timeoutMs ?? 20_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('sluice broker ready on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code ?? signal}) before ready: ${err}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.kill('SIGTERM');
    const r = await exited;
    clearTimeout(t);
    return r;
  };
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    child,
    stderr: () => err,
    stop,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
