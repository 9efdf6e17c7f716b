// A crash at every rename of the cleaner's segment swap (simulated: the rename throws and the process "restarts"
// with recoverCleanerSwap + a fresh open) leaves a consistent log: offsets increasing, every key's latest record
// present, no temporary files; the next pass then compacts it fully.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { cleanerConfig } from '../src/cleaner/cleaner-config.ts';
import { LogCleaner } from '../src/cleaner/log-cleaner.ts';
import { type FileOps, realFileOps } from '../src/file-ops.ts';
import { TestLog, tempLogDir } from './cleaner-test-log.ts';

type Model = Map<string, { offset: number; value: string | null }>;

function buildLog(): { log: TestLog; model: Model } {
  const log = new TestLog(tempLogDir());
  const model: Model = new Map();
  let n = 0;
  for (let seg = 0; seg < 4; seg++) {
    for (let b = 0; b < 6; b++) {
      const key = `k${(n * 7) % 5}`;
      const value = n % 9 === 4 ? null : `${key}@${log.logEndOffset}`;
      model.set(key, { offset: log.logEndOffset, value });
      log.append([{ key, value }], { compression: seg % 2 === 0 ? 0 : 1 });
      n++;
    }
    log.roll();
  }
  return { log, model };
}

function crashingOps(crashAtRename: number): FileOps {
  let renames = 0;
  return {
    ...realFileOps,
    rename(from, to) {
      if (renames++ === crashAtRename) throw Object.assign(new Error('simulated crash'), { code: 'ECRASH' });
      realFileOps.rename(from, to);
    },
  };
}

function assertConsistent(log: TestLog, model: Model, compacted: boolean) {
  const records = log.readAll();
  for (let i = 1; i < records.length; i++) assert.ok(records[i].offset > records[i - 1].offset);
  const latest = new Map<string, { offset: number; value: string | null }>();
  for (const r of records) {
    if (r.value !== null) assert.equal(r.value, `${r.key}@${r.offset}`);
    latest.set(r.key!, { offset: r.offset, value: r.value });
  }
  assert.deepEqual(latest, model);
  if (compacted) assert.equal(records.length, model.size);
  const leftovers = fs.readdirSync(log.dir).filter((f) => /\.(cleaned|swap|deleted)$/.test(f));
  assert.deepEqual(leftovers, []);
}

test('a crash at each rename of the swap recovers to a consistent log', () => {
  const config = cleanerConfig({ segmentBytes: 700, indexIntervalBytes: 64 });
  let crashes = 0;
  for (let k = 0; ; k++) {
    const { log, model } = buildLog();
    const cleaner = new LogCleaner(log, config, crashingOps(k));
    let crashed = false;
    try {
      for (let i = 0; i < 1000 && cleaner.cleanStep(256, 1).state !== 'idle'; i++);
    } catch (err) {
      assert.equal((err as { code?: string }).code, 'ECRASH');
      crashed = true;
    }
    const reopened = TestLog.reopen(log.dir);
    assertConsistent(reopened, model, !crashed);
    if (!crashed) break;
    crashes++;
    const after = new LogCleaner(reopened, config, realFileOps);
    for (let i = 0; i < 1000 && after.cleanStep(256, 1).state !== 'idle'; i++);
    assertConsistent(reopened, model, true);
  }
  assert.ok(crashes >= 12, `crashed at ${crashes} renames`);
});
