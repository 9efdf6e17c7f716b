// Kafka's own DumpLogSegments reads what a transactional log holds: COMMIT/ABORT control batches decoded as
// endTxnMarker records with their coordinator epoch, and the .txnindex files (Kafka's AbortedTxn entries) with the
// producer id, first offset, marker offset and last stable offset we wrote. Needs Kafka's tool jars (scripts/setup:
// tools/java/target/kafka-tools-lib; KAFKA_LIB_DIR overrides); skipped without them outside CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  buildEndTxnMarkerBatch,
  CONTROL_TYPE_ABORT,
  CONTROL_TYPE_COMMIT,
} from '@sluice/protocol/records/control-record.ts';
import { buildRecordBatch } from '@sluice/protocol/records/record-batch.ts';
import { realFileOps } from '../src/file-ops.ts';
import { logConfig } from '../src/log-config.ts';
import { PartitionLog } from '../src/partition-log.ts';
import { tempDir } from './helpers/log-fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
const libDir = process.env.KAFKA_LIB_DIR ?? join(root, 'tools/java/target/kafka-tools-lib');
const TOOL = 'org.apache.kafka.tools.DumpLogSegments';

test('Kafka DumpLogSegments decodes our transaction markers and .txnindex files', {
  skip: !existsSync(libDir) && !process.env.CI ? `no Kafka tools in ${libDir}` : false,
}, () => {
  using dir = tempDir('dump-txn');
  const log = PartitionLog.open(join(dir.path, 't-0'), 't', 0, {
    config: logConfig({ segmentBytes: 1024 }),
    ops: realFileOps,
    clock: () => 1_700_000_000_000,
  });
  const seq = new Map<number, number>();
  const data = (pid: number) => {
    const s = seq.get(pid) ?? 0;
    seq.set(pid, s + 2);
    const records = [0, 1].map((i) => ({ timestamp: 1_700_000_000_000, key: null, value: Buffer.from(`v${i}`) }));
    return buildRecordBatch({ producerId: pid, producerEpoch: 0, baseSequence: s, isTransactional: true, records });
  };
  const marker = (pid: number, commit: boolean) =>
    buildEndTxnMarkerBatch({
      producerId: pid,
      producerEpoch: 0,
      type: commit ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT,
      coordinatorEpoch: 7,
      timestamp: 1_700_000_000_000,
    });
  let aborts = 0;
  for (let i = 0; i < 30; i++) {
    const pid = 100 + (i % 3);
    assert.equal(log.append(data(pid)).errorCode, 'NONE');
    assert.equal(log.append(data(100 + ((i + 1) % 3))).errorCode, 'NONE');
    const commit = i % 2 === 0;
    if (!commit) aborts++;
    assert.equal(log.append(marker(pid, commit), { origin: 'coordinator' }).errorCode, 'NONE');
  }
  const expected = log.txnIndexes.all();
  assert.equal(expected.length, aborts);
  log.close();

  const partDir = join(dir.path, 't-0');
  const files = readdirSync(partDir).sort();
  const txnIndexes = files.filter((f) => f.endsWith('.txnindex'));
  assert.ok(txnIndexes.length >= 2, 'aborts in several segments');
  const logs = files.filter((f) => f.endsWith('.log'));
  const paths = [...logs, ...txnIndexes].map((f) => join(partDir, f)).join(',');
  const r = spawnSync('java', ['-cp', `${libDir}/*`, TOOL, '--files', paths, '--deep-iteration'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.doesNotMatch(out, /isvalid: false|Exception/);
  const markers = out.split('\n').filter((l) => l.includes('endTxnMarker:'));
  assert.equal(markers.length, 30);
  assert.equal(markers.filter((l) => l.includes('endTxnMarker: ABORT coordinatorEpoch: 7')).length, aborts);
  const entries = out
    .split('\n')
    .map((l) => /^version: 0 producerId: (\d+) firstOffset: (\d+) lastOffset: (\d+) lastStableOffset: (\d+)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({
      producerId: Number(m[1]),
      firstOffset: Number(m[2]),
      lastOffset: Number(m[3]),
      lastStableOffset: Number(m[4]),
    }));
  assert.deepEqual(entries, expected);
});
