// A standard client's ceiling (BENCHMARKS.md section 3): kcat (librdkafka) producing `messages` lines of
// `size - 1` characters + newline from a temp file, flat out, to a topic; wall time from start to exit (kcat
// flushes before exiting). Returns null when kcat is not installed. The temp file is deleted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KcatResult {
  messages: number;
  seconds: number;
  msgsPerSec: number;
  mbPerSec: number;
}

export function kcatAvailable(): boolean {
  return spawnSync('kcat', ['-V'], { encoding: 'utf8' }).status === 0;
}

export async function kcatProduce(o: {
  bootstrap: string;
  topic: string;
  messages: number;
  size: number;
  acks: string;
  timeoutMs: number;
}): Promise<KcatResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kcat-'));
  const file = join(dir, 'messages');
  try {
    const line = `${'x'.repeat(o.size - 1)}\n`;
    writeFileSync(file, line.repeat(o.messages));
    const args = ['-P', '-b', o.bootstrap, '-t', o.topic, '-l', file, '-X', `acks=${o.acks === 'all' ? -1 : o.acks}`];
    args.push('-X', 'linger.ms=5', '-X', 'queue.buffering.max.messages=2000000', '-X', 'batch.size=16384');
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`kcat exited ${code}: ${err.slice(-400)}`));
        else resolve();
      });
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return {
      messages: o.messages,
      seconds,
      msgsPerSec: o.messages / seconds,
      mbPerSec: (o.messages * o.size) / 1e6 / seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
