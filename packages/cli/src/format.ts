// Plain-text output helpers: aligned columns as Kafka's tools print them (header row, two spaces between columns),
// and parsing of `key=value` arguments.
import { usage } from './errors.ts';

export function printTable(header: string[], rows: Array<Array<string | number | bigint>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) {
    process.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}\n`);
  }
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parsePairs(pairs: string[], what: string): Array<[string, string]> {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`${what} ${pair}: expected key=value`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

export function parseIntArg(value: string, what: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usage(`${what} ${value}: expected an integer >= ${min}`);
  return n;
}
