// Builds benches/peers/mock-cluster.c on demand into a temp directory (never committed): needs gcc and Debian's
// librdkafka-dev. Returns the binary's path, or an error string saying what is missing. Rebuilt only when the
// source is newer than the binary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = new URL('./mock-cluster.c', import.meta.url).pathname;

export function buildMockCluster(): { path: string } | { error: string } {
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) {
    return { error: 'librdkafka-dev is not installed (apt-get install librdkafka-dev)' };
  }
  const dir = join(tmpdir(), 'sluice-bench-peers');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'mock-cluster');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(SOURCE).mtimeMs) return { path: out };
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', out, SOURCE, '-lrdkafka'], { encoding: 'utf8' });
  if (r.status !== 0) return { error: `gcc failed: ${r.error?.message ?? ''}${r.stderr}` };
  return { path: out };
}
