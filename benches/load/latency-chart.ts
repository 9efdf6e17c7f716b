// A latency-percentile chart as a standalone SVG (no dependencies): x = percentile on the usual HDR scale
// (50, 90, 99, 99.9, 99.99, max: equal steps of 1/(1 - p)), y = latency in ms on a log scale. One line per series.
export interface ChartSeries {
  label: string;
  color: string;
  dashed?: boolean;
  /** [percentile, ms]; 100 = max */
  points: [number, number][];
}

const W = 820;
const H = 420;
const L = 70;
const R = 200;
const T = 40;
const B = 50;

function xOf(p: number): number {
  const nines = p >= 100 ? 5 : Math.min(5, Math.log10(100 / (100 - p)));
  return L + ((nines - Math.log10(2)) / (5 - Math.log10(2))) * (W - L - R);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function latencyChartSvg(title: string, series: ChartSeries[]): string {
  const all = series.flatMap((s) => s.points.map(([, v]) => Math.max(v, 0.01)));
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const yOf = (v: number) =>
    T + (1 - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - T - B);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi * 1.0001) break;
      const y = yOf(v);
      out.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
      out.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
  }
  for (const [p, label] of [
    [50, 'p50'],
    [90, 'p90'],
    [99, 'p99'],
    [99.9, 'p99.9'],
    [99.99, 'p99.99'],
    [100, 'max'],
  ] as const) {
    const x = xOf(p);
    out.push(`<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${H - B + 16}" text-anchor="middle">${label}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">percentile</text>`);
  out.push(
    `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">latency, ms (log)</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.map(([p, v]) => `${xOf(p).toFixed(1)},${yOf(v).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5,4"' : '';
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    const ly = T + 10 + i * 18;
    out.push(
      `<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${W - R + 42}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
