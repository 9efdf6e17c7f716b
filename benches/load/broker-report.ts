// Turns broker-workloads.ts JSON into the report's tables and charts:
//   node benches/load/broker-report.ts run.json [--svg-prefix perf-reports/2026-11-24-broker]
// Prints markdown: the machine limits, then per workload variant and system the median [min..max] over the
// repetitions of msgs/s, MB/s (10^6 B of payload), latencies, broker CPU us/msg and ms/MB, client CPU; then the ratios
// Sluice/Kafka and Sluice/mock of the medians. Writes one SVG per W1/W5 variant (end-to-end latency percentiles).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Step } from './broker-workloads.ts';
import { type ChartSeries, latencyChartSvg } from './latency-chart.ts';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'svg-prefix': { type: 'string' } },
});
const run = JSON.parse(readFileSync(positionals[0], 'utf8')) as {
  date: string;
  sluiceCommit: string;
  loadavgStart: number[];
  loadavgEnd: number[];
  limitsStart?: Record<string, number>;
  limitsEnd?: Record<string, number>;
  peakRssMiB: Record<string, number>;
  steps: Step[];
};

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number) =>
  !Number.isFinite(x) ? '-' : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
const cell = (xs: number[]) =>
  xs.length === 0
    ? '-'
    : xs.length === 1
      ? fmt(xs[0])
      : `${fmt(median(xs))} [${fmt(Math.min(...xs))}..${fmt(Math.max(...xs))}]`;

console.log(
  `Run ${run.date}, Sluice commit ${run.sluiceCommit}, load average start ${run.loadavgStart.map((x) => x.toFixed(2)).join(' / ')}, end ${run.loadavgEnd.map((x) => x.toFixed(2)).join(' / ')}`,
);
if (run.limitsStart) {
  console.log('\n| machine limit | start of run | end of run |\n|---|---:|---:|');
  for (const k of Object.keys(run.limitsStart))
    console.log(`| ${k} | ${fmt(run.limitsStart[k])} | ${fmt(run.limitsEnd?.[k] ?? Number.NaN)} |`);
}
console.log(
  `\nPeak RSS (VmHWM) MiB: ${Object.entries(run.peakRssMiB)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ')}`,
);

const groups = new Map<string, Step[]>();
for (const s of run.steps) {
  if (s.workload === 'warm-up') continue;
  const k = `${s.workload} ${s.variant}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k)!.push(s);
}

const medians = new Map<string, Record<string, number>>();
console.log(
  '\n| workload | system | n | msgs/s | MB/s | delivery p50 / p99 ms | e2e p50 / p99 / p99.9 / max ms | broker CPU us/msg | broker CPU ms/MB | load gen CPU s | errors |',
);
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
for (const [k, steps] of groups) {
  for (const sys of ['sluice', 'sluice-async', 'kafka', 'mock']) {
    const ss = steps.filter((s) => s.system === sys);
    if (ss.length === 0) continue;
    const ok = ss.filter((s) => s.result !== null);
    const phase = (s: Step) => s.result!.produce ?? s.result!.consume!;
    const msgs = ok.map((s) => phase(s).msgsPerSec);
    const mbs = ok.map((s) => phase(s).mbPerSec);
    const count = (s: Step) => (s.result!.produce ? s.result!.produce.messages : s.result!.consume!.messages);
    const bytes = (s: Step) => {
      const size = Number(
        (s.result!.options as Record<string, string>)['message-size'] ??
          (s.result!.options as { kcat?: { size: number } }).kcat?.size ??
          1024,
      );
      return count(s) * size;
    };
    const cpuMsg = ok.map((s) => (s.brokerCpuSeconds * 1e6) / count(s));
    const cpuMB = ok.map((s) => (s.brokerCpuSeconds * 1e3) / (bytes(s) / 1e6));
    const d = ok
      .filter((s) => s.result!.produce && s.result!.produce.delivery.count > 0)
      .map((s) => s.result!.produce!.delivery);
    const e = ok.map((s) => s.result!.consume?.e2e).filter((x) => x != null);
    const errors = ss
      .map((s) => s.error ?? JSON.stringify({ ...s.result?.produce?.errors, ...s.result?.consume?.errors }))
      .filter((x) => x !== '{}');
    const fc = ok.map((s) => s.result!.fetchCeiling?.mbPerSec).filter((x) => x !== undefined) as number[];
    console.log(
      `| ${k} | ${sys} | ${ss.length} | ${cell(msgs)} | ${cell(mbs)}${fc.length ? ` (fetch ${cell(fc)})` : ''} | ${d.length ? `${cell(d.map((x) => x.p50))} / ${cell(d.map((x) => x.p99))}` : '-'} | ${e.length ? `${cell(e.map((x) => x.p50))} / ${cell(e.map((x) => x.p99))} / ${cell(e.map((x) => x.p999))} / ${cell(e.map((x) => x.max))}` : '-'} | ${cell(cpuMsg)} | ${cell(cpuMB)} | ${cell(ok.map((s) => s.result!.clientCpuSeconds).filter(Number.isFinite))} | ${errors.join('; ').slice(0, 120) || '-'} |`,
    );
    medians.set(`${k}|${sys}`, {
      mbs: median(mbs),
      cpuMB: median(cpuMB),
      p99d: median(d.map((x) => x.p99)),
      p99e: median(e.map((x) => x.p99)),
      fetch: median(fc),
    });
  }
}

console.log(
  '\n| workload | Sluice variant | /Kafka MB/s | /mock MB/s | /Kafka CPU per MB | /mock CPU per MB | /Kafka e2e p99 | /mock e2e p99 |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const k of groups.keys()) {
  for (const variant of ['sluice', 'sluice-async']) {
    const s = medians.get(`${k}|${variant}`);
    const kf = medians.get(`${k}|kafka`);
    const m = medians.get(`${k}|mock`);
    if (!s) continue;
    const r = (x?: number, y?: number) =>
      x !== undefined && y !== undefined && Number.isFinite(x / y) ? (x / y).toFixed(2) : '-';
    console.log(
      `| ${k} | ${variant} | ${r(s.mbs, kf?.mbs)} | ${r(s.mbs, m?.mbs)} | ${r(s.cpuMB, kf?.cpuMB)} | ${r(s.cpuMB, m?.cpuMB)} | ${r(s.p99e, kf?.p99e)} | ${r(s.p99e, m?.p99e)} |`,
    );
  }
}

if (a['svg-prefix']) {
  const colors: Record<string, string> = {
    sluice: '#1f77b4',
    'sluice-async': '#9467bd',
    kafka: '#d62728',
    mock: '#2ca02c',
  };
  for (const [k, steps] of groups) {
    if (!steps.some((s) => s.result?.consume?.e2e)) continue;
    const series: ChartSeries[] = [];
    for (const s of steps) {
      const e = s.result?.consume?.e2e;
      if (!e) continue;
      series.push({
        label: `${s.system} rep ${s.rep} e2e`,
        color: colors[s.system],
        dashed: s.rep % 2 === 0,
        points: e.curve,
      });
    }
    const file = `${a['svg-prefix']}-${k
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/-+$/, '')}.svg`;
    writeFileSync(file, latencyChartSvg(`${k}: e2e latency, run of ${run.date.slice(0, 16)}Z`, series));
    console.log(`\nchart: ${file}`);
  }
}
