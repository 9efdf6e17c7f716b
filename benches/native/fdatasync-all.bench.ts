// One group-commit turn's fdatasyncs: N files (1, 4, 16, 64) each get a 16 KiB append, then every file is
// fdatasync'd, by the addon's fdatasyncAll (all at once on its threads) and by its JavaScript twin (one after the
// other), interleaved round by round in one run. The machine's reference in the same run: one file's append +
// fdatasync (what a turn would cost if the syncs fully overlapped). Files live in os.tmpdir() (the data disk).
// `node benches/native/fdatasync-all.bench.ts [rounds=100]`; prints per-turn ms (median, min..max) and MB/s.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addon, fdatasyncAll, fdatasyncAllJs } from '../../native/src/index.ts';

if (addon === null) {
  console.error('the native addon is not loaded (run scripts/setup, and leave SLUICE_NATIVE unset)');
  process.exit(1);
}
const rounds = Number(process.argv[2] ?? 100);
const CHUNK = 16 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'sluice-fdatasync-bench-'));
const data = Buffer.alloc(CHUNK, 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

try {
  console.log(`| files | variant | ms per turn, median [min..max] | MB/s (median) |`);
  console.log('|---:|---|---:|---:|');
  for (const n of [1, 4, 16, 64]) {
    const fds = Array.from({ length: n }, (_, i) => openSync(join(dir, `${n}-${i}.log`), 'w+'));
    let position = 0;
    const variants: Array<[string, () => void]> = [
      ['addon fdatasyncAll', () => void fdatasyncAll(fds)],
      ['JS twin (serial)', () => void fdatasyncAllJs(fds)],
      ['reference: 1 file', () => void fdatasyncAllJs([fds[0]])],
    ];
    const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, sync] of variants) {
        const files = name.startsWith('reference') ? [fds[0]] : fds;
        for (const fd of files) writeSync(fd, data, 0, CHUNK, position);
        position += CHUNK;
        const t = performance.now();
        sync();
        times.get(name)!.push(performance.now() - t);
      }
    }
    for (const [name] of variants) {
      const xs = times.get(name)!;
      const files = name.startsWith('reference') ? 1 : n;
      const m = median(xs);
      const mbs = (files * CHUNK) / 1e6 / (m / 1000);
      console.log(
        `| ${n} | ${name} | ${m.toFixed(3)} [${Math.min(...xs).toFixed(3)}..${Math.max(...xs).toFixed(3)}] | ${mbs.toFixed(0)} |`,
      );
    }
    for (const fd of fds) closeSync(fd);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
