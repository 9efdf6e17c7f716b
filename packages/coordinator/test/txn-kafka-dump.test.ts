// Kafka's own DumpLogSegments --transaction-log-decoder reads the __transaction_state records the coordinator
// writes (key v0, value v0) through a commit, an abort, a fencing re-init, a timeout abort and an expiry.
// Needs Kafka's tool jars (scripts/setup: tools/java/target/kafka-tools-lib; KAFKA_LIB_DIR overrides); skipped
// without them outside CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { buildRecordBatch } from '@sluice/protocol';
import { addPartitions, endTxn, init, TxnHarness } from './txn-harness.ts';

const root = resolve(import.meta.dirname, '../../..');
const libDir = process.env.KAFKA_LIB_DIR ?? join(root, 'tools/java/target/kafka-tools-lib');
const TOOL = 'org.apache.kafka.tools.DumpLogSegments';
const haveTool = existsSync(libDir);

test('Kafka DumpLogSegments decodes our __transaction_state records', {
  skip: !haveTool && !process.env.CI ? `no Kafka tools in ${libDir}` : false,
}, () => {
  const h = new TxnHarness({
    config: { transactionalIdExpirationMs: 100_000, removeExpiredTransactionalIdsIntervalMs: 50_000 },
  });
  const a = h.call<{ producerId: bigint; producerEpoch: number }>(22, 4, init('app-1')).response!;
  h.call(24, 3, addPartitions('app-1', a.producerId, a.producerEpoch, { orders: [0, 1], audit: [2] }));
  h.call(26, 3, endTxn('app-1', a.producerId, a.producerEpoch, true));
  h.writeAllMarkers();
  h.call(24, 3, addPartitions('app-1', a.producerId, a.producerEpoch, { orders: [0] }));
  h.call(22, 4, init('app-1'));
  h.writeAllMarkers();
  const b = h.call<{ producerId: bigint; producerEpoch: number }>(22, 4, init('app-2', -1n, -1, 5_000)).response!;
  h.call(24, 3, addPartitions('app-2', b.producerId, b.producerEpoch, { orders: [3] }));
  h.advance(20_000);
  h.writeAllMarkers();
  h.call(22, 4, init('short-lived'));
  h.advance(200_000);
  assert.ok(
    h.log.some((r) => r.value === null),
    'an expiry tombstone is in the log',
  );

  const dir = mkdtempSync(join(tmpdir(), 'txn-dump-'));
  try {
    const batches = h.log.map((r, i) =>
      buildRecordBatch({ baseOffset: i, records: [{ timestamp: 1_700_000_000_000, key: r.key, value: r.value }] }),
    );
    const file = join(dir, '00000000000000000000.log');
    writeFileSync(file, Buffer.concat(batches));
    const r = spawnSync('java', ['-cp', `${libDir}/*`, TOOL, '--files', file, '--transaction-log-decoder'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    const lines = out.split('\n').filter((l) => l.startsWith('| offset: '));
    assert.equal(lines.length, h.log.length, out);
    for (const l of lines) assert.match(l, /transactionalId/, l);
    assert.doesNotMatch(out, /Exception|Unknown|Error/);
    // The tool prints the decoded JSON: states by number (4 CompleteCommit, 3 PrepareAbort), partitions by topic.
    assert.match(out, /"transactionStatus":4/);
    assert.match(out, /"transactionStatus":3/);
    assert.match(out, /"topic":"orders","partitionIds":\[0,1\]/);
    assert.match(out, /payload: <DELETE>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
