// Durations of a shard's group-commit flushes (one GroupCommit.turn that issued at least one fdatasync), counted
// into fixed buckets on the shard and sent whole to the main thread when a scrape asks (CONTROL op `stats`): the
// shard's cost per flush is one loop over FLUSH_BUCKETS_SECONDS and no message, the scrape's one ring round-trip.
// Counts are cumulative since the shard started, as a Prometheus histogram's are.
// Owner: shard (FlushTimings); main thread (the snapshots it receives).

/**
 * Upper bounds in seconds: 0.1 ms (page cache only, tmpfs) to 2.5 s (a stalled disk). An fdatasync on an SSD takes
 * 0.5-5 ms; on a cloud volume 1-20 ms.
 */
export const FLUSH_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

export interface FlushTimingsSnapshot {
  /** counts[i]: flushes with duration <= FLUSH_BUCKETS_SECONDS[i] and > the bound before (not cumulative). */
  counts: number[];
  /** Flushes slower than the last bound. */
  overflow: number;
  /** Sum of all durations, seconds. */
  sumSeconds: number;
  /** Number of flushes (group-commit turns with at least one fdatasync). */
  count: number;
  /** fdatasync calls in those flushes. */
  fdatasyncs: number;
}

export class FlushTimings {
  private readonly counts = new Array<number>(FLUSH_BUCKETS_SECONDS.length).fill(0);
  private overflow = 0;
  private sumSeconds = 0;
  private count = 0;
  private fdatasyncs = 0;

  /** One flush of `fdatasyncs` logs that took `seconds`. */
  observe(seconds: number, fdatasyncs: number): void {
    this.count++;
    this.fdatasyncs += fdatasyncs;
    this.sumSeconds += seconds;
    for (let i = 0; i < FLUSH_BUCKETS_SECONDS.length; i++) {
      if (seconds <= FLUSH_BUCKETS_SECONDS[i]) {
        this.counts[i]++;
        return;
      }
    }
    this.overflow++;
  }

  snapshot(): FlushTimingsSnapshot {
    return {
      counts: [...this.counts],
      overflow: this.overflow,
      sumSeconds: this.sumSeconds,
      count: this.count,
      fdatasyncs: this.fdatasyncs,
    };
  }
}
