// Which segments retention deletes, and the delayed unlinking of deleted segment files.
// Retention (Kafka's deleteOldSegments) works on whole segments from the oldest, stops at the first segment that
// must stay, and never takes the active (last) segment. A segment goes when any of these holds:
//   - it lies entirely below logStartOffset (the next segment starts at or below it: DeleteRecords, KIP-107)
//   - retention.ms >= 0 and its largest timestamp (its creation time when it has none) is older than that
//   - retention.bytes >= 0 and the log stays at or above retention.bytes without it
// The last two only when cleanup.policy includes `delete`: a compact-only log loses records to the cleaner and to
// logStartOffset, never to time or size (Kafka's deleteOldSegments).
// Deleted segments are renamed `<name>.deleted` at once and unlinked file.delete.delay.ms later, so reads already
// handed an fd or a path finish; the fd is closed at the unlink.
import type { FileOps } from './file-ops.ts';
import { deletesByRetention, type LogConfig } from './log-config.ts';
import type { LogSegment } from './log-segment.ts';

/** How many segments from the front retention deletes now. */
export function segmentsToDelete(
  segments: readonly LogSegment[],
  config: LogConfig,
  logStartOffset: number,
  nowMs: number,
): number {
  const byRetention = deletesByRetention(config);
  const retentionMs = byRetention ? config.retentionMs : -1;
  const retentionBytes = byRetention ? config.retentionBytes : -1;
  let total = 0;
  for (const s of segments) total += s.size;
  let excess = retentionBytes >= 0 ? total - retentionBytes : 0;
  let n = 0;
  while (n < segments.length - 1) {
    const seg = segments[n];
    const belowStart = segments[n + 1].baseOffset <= logStartOffset;
    const newest = seg.maxTimestampSoFar >= 0 ? seg.maxTimestampSoFar : seg.createdMs;
    const expired = retentionMs >= 0 && nowMs - newest > retentionMs;
    const oversize = retentionBytes >= 0 && excess - seg.size >= 0;
    if (!belowStart && !expired && !oversize) break;
    excess -= seg.size;
    n++;
  }
  return n;
}

interface PendingDelete {
  segments: LogSegment[];
  paths: string[];
  dueMs: number;
}

/** Files waiting for their unlink, with the segments whose fds close then. */
export class DelayedDeletes {
  private pending: PendingDelete[] = [];
  private readonly ops: FileOps;

  constructor(ops: FileOps) {
    this.ops = ops;
  }

  /** Renames each segment's files to `.deleted` and schedules their unlink. */
  deleteSegments(segments: LogSegment[], dueMs: number): void {
    const paths: string[] = [];
    for (const seg of segments) {
      try {
        paths.push(...seg.markDeleted());
      } catch {
        // A failed rename leaves the files under their names; the unlink below still removes them by what we know.
        paths.push(seg.logPath, seg.offsetIndex.path, seg.timeIndex.path);
      }
    }
    this.pending.push({ segments, paths, dueMs });
  }

  /** Schedules already-renamed files (the cleaner's swap) and the segments that used them. */
  schedule(segments: LogSegment[], paths: readonly string[], dueMs: number): void {
    this.pending.push({ segments, paths: [...paths], dueMs });
  }

  /** Unlinks what is due and closes those segments' fds. */
  run(nowMs: number): void {
    const keep: PendingDelete[] = [];
    for (const p of this.pending) {
      if (p.dueMs > nowMs) {
        keep.push(p);
        continue;
      }
      for (const path of p.paths) {
        try {
          this.ops.unlink(path);
        } catch {
          // Already gone, or the next open's sweep of *.deleted removes it.
        }
      }
      for (const seg of p.segments) seg.close();
    }
    this.pending = keep;
  }
}
