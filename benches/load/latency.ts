// Latency recording for the load generator: HDR histograms (hdr-histogram-js, 3 significant digits) in
// microseconds, from 1 us to 120 s. Time is process.hrtime (CLOCK_MONOTONIC), the same clock in every process
// of the machine, so a send time written into a payload by one process can be compared by another.
import * as hdr from 'hdr-histogram-js';

export type Histogram = ReturnType<typeof hdr.build>;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** Monotonic microseconds (fractional). */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

export function record(h: Histogram, us: number, count = 1): void {
  const v = Math.min(Math.max(1, Math.round(us)), 120_000_000);
  if (count === 1) h.recordValue(v);
  else h.recordValueWithCount(v, count);
}

/** Percentiles the reports and the chart use. */
export const PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99] as const;

export interface LatencySummary {
  count: number;
  /** milliseconds */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** [percentile, ms] for PERCENTILES, then [100, max]. */
  curve: [number, number][];
}

export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  const curve: [number, number][] = PERCENTILES.map((p) => [p, ms(h.getValueAtPercentile(p))]);
  curve.push([100, ms(h.maxValue)]);
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
    curve,
  };
}
