// Latency accounting for `sluice perf`: an HDR histogram (hdr-histogram-js, 3 significant digits) of microseconds,
// 1 µs .. 10 min, reported in milliseconds as Kafka's perf tools do (p50, p95, p99, p99.9, max).
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class Latency {
  readonly #histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records `count` samples of the same latency (every record of one acknowledged batch). */
  record(ms: number, count = 1): void {
    const us = Math.max(1, Math.min(600_000_000, Math.round(ms * 1000)));
    this.#histogram.recordValueWithCount(us, count);
  }

  summary(): LatencySummary {
    const h = this.#histogram;
    // A percentile is reported as the highest value equivalent to its bucket, which can exceed the largest value
    // recorded (by < 0.1% at 3 digits); clamp so p50 <= ... <= max always holds.
    const max = h.maxValue;
    const ms = (us: number) => Math.round(Math.min(us, max)) / 1000;
    return {
      count: h.totalCount,
      avgMs: ms(h.mean),
      p50Ms: ms(h.getValueAtPercentile(50)),
      p95Ms: ms(h.getValueAtPercentile(95)),
      p99Ms: ms(h.getValueAtPercentile(99)),
      p999Ms: ms(h.getValueAtPercentile(99.9)),
      maxMs: ms(max),
    };
  }
}
