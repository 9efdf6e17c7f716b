// Runs every test file of the workspace with node:test: packages/*/test/**/*.test.ts, native/test/**/*.test.ts and
// benches/test/**/*.test.ts.
// `node scripts/run-tests.ts [filter]` runs only the files whose path contains the filter.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const filter = process.argv[2];
const files = [
  ...globSync('packages/*/test/**/*.test.ts'),
  ...globSync('native/test/**/*.test.ts'),
  ...globSync('benches/test/**/*.test.ts'),
]
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
