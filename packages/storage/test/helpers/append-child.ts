// Child process for kill-recovery.test.ts: opens the log dir (recovering it), reports its logEndOffset, then
// appends forever in group-commit turns and reports every acknowledgement only after its flush turn made it
// durable: "ack <offset> <value>" on stdout, written synchronously so a SIGKILL cannot drop a reported ack.
//   node append-child.ts <log dir> <run id>
import { writeSync } from 'node:fs';
import { buildRecordBatch } from '@sluice/protocol/records/record-batch.ts';
import { LogManager } from '../../src/log-manager.ts';

const [logDir, runId] = process.argv.slice(2);
const manager = LogManager.open({ logDir, configFor: () => ({ segmentBytes: 64 * 1024, indexIntervalBytes: 512 }) });
const log = manager.getOrCreateLog('kill', 0);
writeSync(1, `open ${log.logEndOffset}\n`);
let seq = 0;
for (;;) {
  const batches = 1 + (seq % 4);
  for (let b = 0; b < batches; b++) {
    const values = [`${runId}:${seq++}`, `${runId}:${seq++}`];
    const r = log.append(
      buildRecordBatch({
        records: values.map((v) => ({ timestamp: Date.now(), value: Buffer.from(v.padEnd(90, '.')) })),
      }),
    );
    if (r.errorCode !== 'NONE') throw new Error(r.message);
    manager.groupCommit.waitFor(log, r.lastOffset, (err) => {
      if (err !== null) throw new Error(err.message);
      writeSync(1, `ack ${r.baseOffset} ${values[0]}\nack ${r.baseOffset + 1} ${values[1]}\n`);
    });
  }
  manager.flushTurn();
}
