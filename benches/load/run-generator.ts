// Runs load-generator.ts in its own process with the given arguments (plus --quiet and --timeout-ms) and resolves
// with its JSON result (null when it printed none, e.g. --create-only). The child is SIGKILLed 15 s past timeoutMs.
import { spawn } from 'node:child_process';
import type { LoadResult } from './load-generator.ts';

const GENERATOR = new URL('./load-generator.ts', import.meta.url).pathname;

export function runGenerator(args: string[], timeoutMs: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GENERATOR, '--quiet', '--timeout-ms', `${timeoutMs}`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load generator exited ${code}: ${err.slice(-600)}`));
      else {
        try {
          const last = out.trim().split('\n').pop() ?? '';
          resolve((last === '' ? null : JSON.parse(last)) as LoadResult);
        } catch (e) {
          reject(e as Error);
        }
      }
    });
  });
}
