// Owner of one log dir (`log.dirs` entry): opens every partition log in it (recovering them), creates and deletes
// partition logs, runs flush (group commit), retention and cleaner turns, and on close writes the clean-shutdown
// marker. The cleaner turn is bounded by a byte budget so the shard loop can run it between append turns; it works
// on one compacted log at a time (one key -> offset map alive per log dir) and moves round-robin to the next log
// when that log's pass ends or it has nothing to clean.
// Files it owns in the log dir, Kafka's names and formats:
//   .kafka_cleanshutdown          clean-shutdown marker, JSON {"version":0,"brokerEpoch":-1}; present only between a
//                                 clean close and the next open (open deletes it first, so a crash leaves none)
//   log-start-offset-checkpoint   checkpoint-file.ts format, entries "<topic> <partition> <logStartOffset>", written
//                                 on DeleteRecords and close, so an advanced logStartOffset survives restarts
//   <topic>-<partition>/          one partition log each (partition-log.ts)
//
// Owner: shard (a shard may own several log managers' partitions; a log dir has one owner).
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.ts';
import { type FileOps, realFileOps } from './file-ops.ts';
import { GroupCommit } from './group-commit.ts';
import { isCompacted, type LogConfig, logConfig } from './log-config.ts';
import { PartitionLog } from './partition-log.ts';
import type { StorageError } from './storage-error.ts';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';

export interface LogManagerOptions {
  logDir: string;
  ops?: FileOps;
  /** Config of a topic's logs; defaults when absent. */
  configFor?: (topic: string) => Partial<LogConfig>;
  clock?: () => number;
}

function key(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class LogManager {
  readonly logDir: string;
  /** Whether the previous shutdown was clean (the marker was there). */
  readonly cleanShutdown: boolean;
  readonly groupCommit: GroupCommit;
  private readonly ops: FileOps;
  private readonly configFor: (topic: string) => Partial<LogConfig>;
  private readonly clock: () => number;
  private readonly logs = new Map<string, PartitionLog>();
  /** Round-robin position of the cleaner turn: the log it works on, or looks at first. */
  private cleanerCursor = 0;

  private constructor(o: LogManagerOptions, cleanShutdown: boolean) {
    this.logDir = o.logDir;
    this.ops = o.ops ?? realFileOps;
    this.configFor = o.configFor ?? (() => ({}));
    this.clock = o.clock ?? Date.now;
    this.cleanShutdown = cleanShutdown;
    this.groupCommit = new GroupCommit(() => this.logs.values());
  }

  /** Opens the log dir and every partition log in it (recovery). Throws when the dir cannot be used. */
  static open(o: LogManagerOptions): LogManager {
    const ops = o.ops ?? realFileOps;
    if (!ops.exists(o.logDir)) ops.mkdir(o.logDir);
    const marker = `${o.logDir}/${CLEAN_SHUTDOWN_FILE}`;
    const clean = ops.exists(marker);
    if (clean) {
      ops.unlink(marker);
      ops.syncDir(o.logDir);
    }
    const manager = new LogManager(o, clean);
    const starts = new Map<string, number>();
    for (const [topic, partition, offset] of readCheckpoint(ops, `${o.logDir}/${LOG_START_OFFSET_CHECKPOINT}`)) {
      starts.set(key(topic, Number(partition)), Number(offset));
    }
    for (const name of ops.readdir(o.logDir).sort()) {
      const m = /^(.+)-(\d+)$/.exec(name);
      if (m === null) continue;
      const topic = m[1];
      const partition = Number(m[2]);
      manager.logs.set(
        name,
        PartitionLog.open(`${o.logDir}/${name}`, topic, partition, {
          config: logConfig(manager.configFor(topic)),
          ops,
          logStartOffset: starts.get(name) ?? 0,
          cleanShutdown: clean,
          clock: manager.clock,
        }),
      );
    }
    return manager;
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(key(topic, partition));
  }

  /** Every open partition log. */
  allLogs(): IterableIterator<PartitionLog> {
    return this.logs.values();
  }

  /** Returns the partition's log, creating an empty one when there is none. */
  getOrCreateLog(topic: string, partition: number, config?: Partial<LogConfig>): PartitionLog {
    const existing = this.getLog(topic, partition);
    if (existing !== undefined) return existing;
    const log = PartitionLog.open(`${this.logDir}/${key(topic, partition)}`, topic, partition, {
      config: logConfig({ ...this.configFor(topic), ...config }),
      ops: this.ops,
      cleanShutdown: true,
      clock: this.clock,
    });
    this.ops.syncDir(this.logDir);
    this.logs.set(key(topic, partition), log);
    return log;
  }

  /** Closes and removes a partition's log and its files; its waiters fail. */
  deleteLog(topic: string, partition: number): void {
    const log = this.getLog(topic, partition);
    if (log === undefined) return;
    this.groupCommit.failAll(log, { errorCode: 'KAFKA_STORAGE_ERROR', message: 'log deleted' });
    log.abortCleaning();
    log.closeUnclean();
    this.logs.delete(key(topic, partition));
    this.ops.rmdir(log.dir);
    this.ops.syncDir(this.logDir);
    this.writeLogStartOffsets();
  }

  /** DeleteRecords for one partition; the new logStartOffset is checkpointed before this returns. */
  deleteRecords(topic: string, partition: number, offset: number) {
    const log = this.getLog(topic, partition);
    if (log === undefined) return undefined;
    const r = log.deleteRecords(offset);
    if (r.errorCode === 'NONE') {
      try {
        this.writeLogStartOffsets();
      } catch (err) {
        return { errorCode: 'KAFKA_STORAGE_ERROR', message: String(err) } as StorageError;
      }
    }
    return r;
  }

  /** One group-commit turn over every log (see group-commit.ts). Returns the number of fdatasyncs. */
  flushTurn(nowMs: number = this.clock()): number {
    return this.groupCommit.turn(nowMs);
  }

  /** Retention on every log, then the unlinking of expired `.deleted` files. Returns segments deleted. */
  retentionTurn(nowMs: number = this.clock()): number {
    let n = 0;
    for (const log of this.logs.values()) {
      n += log.runRetention(nowMs);
      log.deleteExpiredFiles(nowMs);
    }
    return n;
  }

  /**
   * One bounded cleaner turn: about `budgetBytes` of segment data read (at least one batch when a log has work)
   * across compacted logs, starting with the log whose pass is in progress, then round-robin. Before a log is
   * stepped, its active segment rolls if its first record is older than min(segment.ms, max.compaction.lag.ms).
   * Returns the bytes read (0: nothing to clean anywhere right now). Errors are values inside each log.
   */
  cleanerTurn(budgetBytes: number, nowMs: number = this.clock()): number {
    const n = this.logs.size;
    if (n === 0) return 0;
    const logs = [...this.logs.values()];
    let read = 0;
    for (let visited = 0; visited < n && read < budgetBytes; ) {
      const log = logs[this.cleanerCursor % n];
      if (isCompacted(log.config) || log.logCleaner !== null) {
        if (log.logCleaner?.busy !== true) log.rollForCompaction(nowMs);
        const r = log.cleanStep(budgetBytes - read, nowMs);
        read += r.bytesRead;
        // Mid-pass with the budget spent: this log again next turn.
        if (log.logCleaner?.busy === true) break;
      }
      this.cleanerCursor = (this.cleanerCursor + 1) % n;
      visited++;
    }
    return read;
  }

  private writeLogStartOffsets(): void {
    const entries: Array<Array<string | number>> = [];
    for (const log of this.logs.values()) entries.push([log.topic, log.partition, log.logStartOffset]);
    writeCheckpoint(this.ops, `${this.logDir}/${LOG_START_OFFSET_CHECKPOINT}`, entries);
  }

  /** Flushes and closes every log, checkpoints logStartOffsets, then writes the clean-shutdown marker. */
  close(): void {
    this.groupCommit.settle();
    this.flushTurn();
    for (const log of this.logs.values()) log.close();
    this.writeLogStartOffsets();
    this.logs.clear();
    this.ops.writeFileAtomic(`${this.logDir}/${CLEAN_SHUTDOWN_FILE}`, Buffer.from('{"version":0,"brokerEpoch":-1}'));
  }

  /** Drops every log without flushing or the marker (tests simulating a crash). */
  abandon(): void {
    for (const log of this.logs.values()) log.closeUnclean();
    this.logs.clear();
  }
}
