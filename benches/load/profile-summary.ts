// Summarizes V8 .cpuprofile files (node --cpu-prof): self time by function (name, file:line), the top N, with the
// share of all samples and of non-idle samples. `node benches/load/profile-summary.ts file.cpuprofile [N]`
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i])!;
  const dt = p.timeDeltas[i] ?? 0;
  total += dt;
  const f = n.callFrame;
  if (f.functionName === '(idle)') idle += dt;
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
}
const busy = total - idle;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, idle ${((100 * idle) / total).toFixed(1)}%`);
console.log('| self ms | % busy | function |\n|---:|---:|---|');
for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`| ${(v / 1000).toFixed(0)} | ${((100 * v) / busy).toFixed(1)} | ${k} |`);
}
