// `sluice broker` as a user runs it: bad configuration is refused at start with every offending key named (exit
// 2, nothing listening), and a configured broker prints its ready line with the address and data directory.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const CLI = new URL('../bin/sluice.ts', import.meta.url).pathname;

test('refuses unknown and invalid keys by name, from --set and from --config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-test-'));
  try {
    const file = join(dir, 'server.properties');
    writeFileSync(file, 'num.partitions=three\n');
    const r = spawnSync(
      process.execPath,
      [CLI, 'broker', '--config', file, '--set', 'no.such.key=1', '--set', `log.dirs=${dir}/data`],
      { encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no\.such\.key/);
    assert.match(r.stderr, /num\.partitions/);
    assert.doesNotMatch(r.stdout, /ready/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prints the ready line with the bound address and the data directory, and stops on SIGINT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-test-'));
  const child = spawn(
    process.execPath,
    [CLI, 'broker', '--set', 'listeners=PLAINTEXT://127.0.0.1:0', '--set', `log.dirs=${dir}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('no ready line within 20 s')), 20_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.trim());
        }
      });
    });
    assert.match(line, new RegExp(`^sluice broker ready on 127\\.0\\.0\\.1:\\d+ \\(data ${dir}\\)$`));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exit, 0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
