// `npm run bench [-- filter]`: runs every micro-benchmark file benches/**/*.bench.ts in its own process, one after
// the other (never in parallel: they would share the 2 cores and measure each other).
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const filter = process.argv[2];
const files = globSync('benches/**/*.bench.ts')
  .filter((f) => !filter || f.includes(filter))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
