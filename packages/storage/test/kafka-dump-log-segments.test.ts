// Kafka's own tool reads what Sluice writes: DumpLogSegments --deep-iteration decodes every segment (every batch
// valid, every record where we put it) and --verify-index-only finds no mismatch in our .index and .timeindex files,
// for plain logs and for compacted logs after the cleaner rewrote them.
// Needs Kafka's jars (scripts/setup fetches them into tools/java/target/kafka-tools-lib; KAFKA_LIB_DIR overrides); skipped
// without them. Kafka <= 4.1 has the tool as kafka.tools.DumpLogSegments (kafka_2.13), later as
// org.apache.kafka.tools.DumpLogSegments (kafka-tools).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { LogManager } from '../src/log-manager.ts';
import { appendRandom, assertLatestPerKey, cleanToIdle, type Model } from './helpers/compaction-fixtures.ts';
import { batchOf, prng, type TestRecord, tempDir } from './helpers/log-fixtures.ts';

// tools/java/target/lib holds Kafka's jars; a DumpLogSegments of another Kafka version (with its own dependencies)
// may sit in tools/java/target/kafka-tools-lib when the main version does not publish the tool.
const root = resolve(import.meta.dirname, '../../..');
const candidates = process.env.KAFKA_LIB_DIR
  ? [process.env.KAFKA_LIB_DIR]
  : [join(root, 'tools/java/target/lib'), join(root, 'tools/java/target/kafka-tools-lib')];
const CLASSES = ['kafka.tools.DumpLogSegments', 'org.apache.kafka.tools.DumpLogSegments'];

function findTool(): { libDir: string; cls: string } | null {
  for (const libDir of candidates) {
    if (!existsSync(libDir)) continue;
    for (const cls of CLASSES) {
      const r = spawnSync('java', ['-cp', `${libDir}/*`, cls, '--help'], { encoding: 'utf8', timeout: 60_000 });
      if (r.error === undefined && !`${r.stdout}${r.stderr}`.includes('ClassNotFoundException')) return { libDir, cls };
    }
  }
  return null;
}

const tool = findTool();

function dump(args: string[]): { output: string; status: number | null } {
  const r = spawnSync('java', ['-cp', `${tool!.libDir}/*`, tool!.cls, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { output: `${r.stdout}\n${r.stderr}`, status: r.status };
}

/**
 * Lines that report a problem: anything except the tool's banner, SLF4J's notices and the dump itself. Kafka 4.2+'s
 * Java DumpLogSegments starts its consecutive-offset check at -1 in every file, so it reports "-1 is followed by
 * <base offset>" for every segment not starting at offset 0, Kafka's own included: that exact pair is dropped.
 */
function problems(output: string): string[] {
  const lines = output.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^Non-consecutive offsets in .*\/(\d{20})\.log$/.exec(lines[i]);
    if (m !== null && lines[i + 1]?.trim() === `-1 is followed by ${Number(m[1])}`) {
      i++;
      continue;
    }
    kept.push(lines[i]);
  }
  return kept
    .filter(
      (l) => l.trim() !== '' && !l.startsWith('Dumping ') && !l.startsWith('SLF4J') && !l.startsWith('Log starting'),
    )
    .filter(
      (l) => !l.startsWith('baseOffset: ') && !l.startsWith('| offset: ') && !/^offset: \d+ position: \d+$/.test(l),
    )
    .filter((l) => !/^timestamp: \d+ offset: \d+$/.test(l));
}

test('Kafka DumpLogSegments decodes our segments and verifies our indexes', {
  // Never skipped in CI (CI=true), where scripts/setup fetches the jars: a missing tool must fail the run there.
  skip: tool === null && !process.env.CI ? `no DumpLogSegments in ${candidates.join(' or ')}` : false,
}, () => {
  assert.ok(tool !== null, `no DumpLogSegments in ${candidates.join(' or ')} (run scripts/setup)`);
  using dir = tempDir('dump');
  const rnd = prng(7);
  const now = Date.now();
  const manager = LogManager.open({
    logDir: dir.path,
    configFor: (topic) => ({
      segmentBytes: 16 * 1024,
      indexIntervalBytes: 1024,
      messageTimestampType: topic === 'append-time' ? 'LogAppendTime' : 'CreateTime',
    }),
  });
  let total = 0;
  for (const topic of ['create-time', 'append-time']) {
    const log = manager.getOrCreateLog(topic, 0);
    for (let i = 0; i < 400; i++) {
      const recs: TestRecord[] = [];
      const n = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < n; k++)
        recs.push({ timestamp: now - Math.floor(rnd() * 60_000), value: `r${total + k}`.repeat(1 + rnd() * 20) });
      const r = log.append(batchOf(recs, i % 5 === 0 ? 1 : 0), { partitionLeaderEpoch: 3 });
      assert.equal(r.errorCode, 'NONE');
      total += n;
    }
    assert.ok(log.segmentCount >= 3, 'several segments');
  }
  manager.close();

  let records = 0;
  for (const topic of ['create-time', 'append-time']) {
    const partDir = join(dir.path, `${topic}-0`);
    const files = readdirSync(partDir).sort();
    const logs = files.filter((f) => f.endsWith('.log')).map((f) => join(partDir, f));
    const deep = dump(['--files', logs.join(','), '--deep-iteration']);
    assert.equal(deep.status, 0, deep.output);
    assert.deepEqual(problems(deep.output), []);
    assert.ok(!deep.output.includes('isvalid: false'));
    assert.ok(deep.output.includes(topic === 'append-time' ? 'LogAppendTime' : 'CreateTime'));
    assert.ok(deep.output.includes('partitionLeaderEpoch: 3'));
    records += deep.output.split('\n').filter((l) => l.startsWith('| offset: ')).length;
    const indexes = files.filter((f) => f.endsWith('.index') || f.endsWith('.timeindex')).map((f) => join(partDir, f));
    const verify = dump(['--files', indexes.join(','), '--verify-index-only']);
    assert.equal(verify.status, 0, verify.output);
    assert.deepEqual(problems(verify.output), [], `index verification of ${topic}`);
  }
  assert.equal(records, total, 'every record decoded once');

  // The check can fail: point an index entry at the wrong batch and the tool reports it.
  const partDir = join(dir.path, 'create-time-0');
  const index = join(partDir, readdirSync(partDir).find((f) => f.endsWith('.index'))!);
  const bytes = readFileSync(index);
  bytes.writeUInt32BE(bytes.readUInt32BE(0) + 1, 0);
  writeFileSync(index, bytes);
  assert.notDeepEqual(problems(dump(['--files', index, '--verify-index-only']).output), []);
});

test('Kafka DumpLogSegments decodes a compacted, cleaned log and verifies its indexes', {
  skip: tool === null && !process.env.CI ? `no DumpLogSegments in ${candidates.join(' or ')}` : false,
}, () => {
  assert.ok(tool !== null, `no DumpLogSegments in ${candidates.join(' or ')} (run scripts/setup)`);
  using dir = tempDir('dump-compacted');
  const now = Date.now();
  const day = 86_400_000;
  const manager = LogManager.open({
    logDir: dir.path,
    configFor: () => ({ cleanupPolicy: 'compact', segmentBytes: 8 * 1024, indexIntervalBytes: 512, flushMs: 0 }),
    clock: () => now,
  });
  const log = manager.getOrCreateLog('compacted', 0);
  const model: Model = new Map();
  const rand = prng(9);
  const codecs = appendRandom(log, model, rand, { batches: 400, keys: 60, nowMs: now });
  assert.equal(codecs.size, 5, 'every codec');
  manager.flushTurn(now);
  cleanToIdle(manager, 64 * 1024, now);
  cleanToIdle(manager, 64 * 1024, now + day + 1);
  assert.ok((log.logCleaner?.stats.recordsRemoved ?? 0) > 0, 'records were removed');
  assert.ok(log.segmentCount >= 2, 'cleaned segments and the active one');
  const kept = assertLatestPerKey(log, model, true).length;
  manager.close();

  const partDir = join(dir.path, 'compacted-0');
  const files = readdirSync(partDir).sort();
  const logs = files.filter((f) => f.endsWith('.log')).map((f) => join(partDir, f));
  const deep = dump(['--files', logs.join(','), '--deep-iteration']);
  assert.equal(deep.status, 0, deep.output);
  assert.ok(!deep.output.includes('isvalid: false'));
  // A compacted log has offset gaps: the tool lists them as "a is followed by b"; each must go forward. (Kafka 4.2+
  // also reports "-1 is followed by" the first record of a file, see problems().)
  const lines = problems(deep.output);
  const gaps = lines.filter((l) => /^-?\d+ is followed by \d+$/.test(l.trim()));
  assert.ok(
    gaps.some((g) => !g.trim().startsWith('-1')),
    'the tool saw the gaps compaction left',
  );
  for (const g of gaps) {
    const [a, b] = g.trim().split(' is followed by ').map(Number);
    assert.ok(b > a, g);
  }
  assert.deepEqual(
    lines.filter((l) => !gaps.includes(l) && !l.startsWith('Non-consecutive offsets in ')),
    [],
  );
  const records = deep.output.split('\n').filter((l) => l.startsWith('| offset: ')).length;
  assert.equal(records, kept, 'every record decoded once');
  const indexes = files.filter((f) => f.endsWith('.index') || f.endsWith('.timeindex')).map((f) => join(partDir, f));
  const verify = dump(['--files', indexes.join(','), '--verify-index-only']);
  assert.equal(verify.status, 0, verify.output);
  assert.deepEqual(problems(verify.output), [], 'index verification of the cleaned log');
});
