// GroupCommit as a shard runs it: the fdatasyncs of logs with waiters are issued together and complete their waiters
// in the same turn; flushes nobody waits for (flush.ms due) run in the background and make durable exactly what was
// appended when they began, never what came after, even when more is appended (or a roll happens) while they run; a
// failed background fdatasync fails the waiters present and advances nothing; settle() waits for the background.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackgroundSync, FileOps } from '../src/file-ops.ts';
import { GroupCommit } from '../src/group-commit.ts';
import { logConfig } from '../src/log-config.ts';
import { PartitionLog } from '../src/partition-log.ts';
import { noSyncFileOps } from './helpers/faulty-file-ops.ts';
import { batchOf, tempDir } from './helpers/log-fixtures.ts';

const NOW = 1_800_000_000_000;

/** noSyncFileOps whose background syncs finish only when the test says so, with the outcome it says. */
class HeldBackground {
  readonly started: number[][] = [];
  private pending: Array<{ fds: readonly number[]; result: Array<Error | null> | null }> = [];
  readonly ops: FileOps = {
    ...noSyncFileOps,
    fdatasyncAll: (fds) => {
      this.syncedNow.push([...fds]);
      return fds.map(() => null);
    },
    fdatasyncStart: (fds): BackgroundSync => {
      this.started.push([...fds]);
      const entry: { fds: readonly number[]; result: Array<Error | null> | null } = { fds, result: null };
      this.pending.push(entry);
      return {
        poll: () => entry.result,
        wait: () => {
          entry.result ??= fds.map(() => null);
          return entry.result;
        },
      };
    },
  };
  readonly syncedNow: number[][] = [];

  /** Finishes every background sync started so far; `fail` gets EIO. */
  finish(fail: (fd: number) => boolean = () => false): void {
    for (const p of this.pending) {
      p.result = p.fds.map((fd) => (fail(fd) ? Object.assign(new Error('EIO'), { code: 'EIO' }) : null));
    }
    this.pending = [];
  }
}

function openLogs(dir: string, n: number, ops: FileOps) {
  const logs: PartitionLog[] = [];
  for (let i = 0; i < n; i++) {
    logs.push(
      PartitionLog.open(`${dir}/t-${i}`, 't', i, {
        config: logConfig({ flushMs: 0 }),
        ops,
        logStartOffset: 0,
        cleanShutdown: true,
        clock: () => NOW,
      }),
    );
  }
  return logs;
}

const record = (value: string) => batchOf([{ timestamp: NOW, value }]);

test('background flushes make durable what was appended when they began, nothing appended later', () => {
  using dir = tempDir('gc-background');
  const held = new HeldBackground();
  const logs = openLogs(dir.path, 3, held.ops);
  const commits = new GroupCommit(() => logs, { backgroundPolicyFlushes: true });
  for (const log of logs) log.append(record('a'));
  assert.equal(commits.turn(NOW), 3);
  assert.equal(held.started.length, 1, 'one background batch for the three logs');
  assert.equal(held.syncedNow.length, 0, 'nobody waits: nothing synced in the turn');
  for (const log of logs) assert.equal(log.durableOffset, 0, 'not durable before the sync returns');
  // Appends while the sync runs, and a second turn that finds it still running: no second batch.
  for (const log of logs) log.append(record('b'));
  assert.equal(commits.turn(NOW), 0);
  held.finish();
  commits.turn(NOW);
  for (const log of logs) assert.equal(log.durableOffset, 1, 'exactly the first append is durable');
  assert.equal(held.started.length, 2, 'the rest goes in the next background batch');
  held.finish();
  commits.turn(NOW);
  for (const log of logs) assert.equal(log.durableOffset, 2);
  for (const log of logs) log.close();
});

test('a waiter is synced in its own turn even while a background flush of its log runs', () => {
  using dir = tempDir('gc-waiter');
  const held = new HeldBackground();
  const [log] = openLogs(dir.path, 1, held.ops);
  const commits = new GroupCommit(() => [log], { backgroundPolicyFlushes: true });
  log.append(record('a'));
  commits.turn(NOW);
  const r = log.append(record('b'));
  assert.ok(r.errorCode === 'NONE');
  let done: unknown = 'pending';
  commits.waitFor(log, r.lastOffset, (err) => {
    done = err;
  });
  commits.turn(NOW);
  assert.equal(done, null, 'acknowledged in the same turn');
  assert.equal(log.durableOffset, 2);
  // The background sync that began before the second append finishes late: durableOffset does not go back.
  held.finish();
  commits.turn(NOW);
  assert.equal(log.durableOffset, 2);
  log.close();
});

test('a failed background fdatasync advances nothing and fails the waiters present', () => {
  using dir = tempDir('gc-fail');
  const held = new HeldBackground();
  const logs = openLogs(dir.path, 2, held.ops);
  const commits = new GroupCommit(() => logs, { backgroundPolicyFlushes: true });
  for (const log of logs) log.append(record('a'));
  commits.turn(NOW);
  // A waiter registered now on log 0, whose synchronous sync (in this turn) succeeds: it completes at once.
  const r = logs[0].append(record('b'));
  assert.ok(r.errorCode === 'NONE');
  const outcomes: unknown[] = [];
  commits.waitFor(logs[0], r.lastOffset, (err) => outcomes.push(err));
  commits.turn(NOW);
  assert.equal(outcomes.length, 1);
  assert.equal(outcomes[0], null);
  // Log 1's background sync fails: its durableOffset stays 0; a waiter registered before the outcome arrives fails.
  const r1 = logs[1].append(record('c'));
  assert.ok(r1.errorCode === 'NONE');
  const failedFd = held.started[0][1];
  held.finish((fd) => fd === failedFd);
  commits.waitFor(logs[1], r1.lastOffset, (err) => outcomes.push(err?.errorCode));
  // The waiter's own synchronous sync succeeds in the same turn, so it is the failure of the background sync that
  // decides: nothing that may not be on disk is acknowledged.
  commits.turn(NOW);
  assert.deepEqual(outcomes, [null, 'KAFKA_STORAGE_ERROR']);
  for (const log of logs) log.close();
});

test('settle waits for the background flush and makes it count', () => {
  using dir = tempDir('gc-settle');
  const held = new HeldBackground();
  const logs = openLogs(dir.path, 2, held.ops);
  const commits = new GroupCommit(() => logs, { backgroundPolicyFlushes: true });
  for (const log of logs) log.append(record('a'));
  commits.turn(NOW);
  commits.settle();
  for (const log of logs) assert.equal(log.durableOffset, 1);
  for (const log of logs) log.close();
});
