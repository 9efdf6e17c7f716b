// A real child process appending with durable acknowledgements is killed with SIGKILL again and again; after every
// restart each acknowledged record is at the offset it was acknowledged at, with its value. Bounded: 6 cycles of
// 150-450 ms of appending each.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { LogManager } from '../src/log-manager.ts';
import { decodeBatches, prng, tempDir } from './helpers/log-fixtures.ts';

const CHILD = resolve(import.meta.dirname, 'helpers/append-child.ts');

async function runUntilKilled(logDir: string, runId: string, killAfterMs: number, acks: Map<number, string>) {
  const child = spawn(process.execPath, [CHILD, logDir, runId], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  let openedAt = -1;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const [kind, a, b] = buffered.slice(0, nl).split(' ');
      buffered = buffered.slice(nl + 1);
      if (kind === 'open') {
        openedAt = Number(a);
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      } else if (kind === 'ack') {
        assert.equal(acks.has(Number(a)), false, `offset ${a} acknowledged twice`);
        acks.set(Number(a), b);
      }
      nl = buffered.indexOf('\n');
    }
  });
  const [code, signal] = await once(child, 'exit');
  assert.equal(signal, 'SIGKILL', `child exited by itself (code ${code})`);
  return openedAt;
}

test('every acknowledged record survives SIGKILL of the appending process, cycle after cycle', async (t) => {
  using dir = tempDir('kill');
  const rnd = prng(2026);
  const acks = new Map<number, string>();
  for (let cycle = 0; cycle < 6; cycle++) {
    const before = acks.size === 0 ? 0 : Math.max(...acks.keys()) + 1;
    const opened = await runUntilKilled(dir.path, `run${cycle}`, 150 + Math.floor(rnd() * 300), acks);
    assert.ok(opened >= before, `cycle ${cycle}: recovered logEndOffset ${opened} covers every ack (< ${before})`);
  }
  assert.ok(acks.size > 100, `appends were acknowledged (${acks.size})`);
  t.diagnostic(`${acks.size} acknowledged records across 6 SIGKILLs`);
  const manager = LogManager.open({ logDir: dir.path });
  assert.equal(manager.cleanShutdown, false);
  const log = manager.getLog('kill', 0)!;
  const found = new Map<number, string>();
  let offset = 0;
  while (offset < log.highWatermark) {
    const r = log.read(offset, 1 << 20);
    assert.equal(r.errorCode, 'NONE');
    if (r.errorCode !== 'NONE') break;
    const recs = decodeBatches(log.readBytes(r));
    for (const rec of recs) found.set(rec.offset, rec.value!.toString().replace(/\.+$/, ''));
    offset = recs[recs.length - 1].offset + 1;
  }
  for (const [o, v] of acks) assert.equal(found.get(o), v, `acknowledged offset ${o}`);
  const all = [...found.values()];
  assert.equal(new Set(all).size, all.length, 'no record twice');
  manager.close();
});
