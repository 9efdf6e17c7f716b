// A read-only copy of the Sluice tree at a git commit (`git archive <rev>`), for benchmarking a known commit while the
// work tree is being edited. Third-party packages come from the work tree's node_modules (a symlink); the
// workspace links (packages/*/node_modules, relative symlinks) are copied so they resolve inside the copy; the
// native addon binary is copied (it is built, not committed). remove() deletes the copy.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

export function snapshotSluice(rev: string): { root: string; commit: string; remove: () => void } {
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
  const root = mkdtempSync(join(tmpdir(), `sluice-${commit}-`));
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${commit} | tar -x -C "${root}"`]);
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const linked = [...readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}`), 'native', 'benches'];
  for (const d of linked) {
    const nm = join(ROOT, d, 'node_modules');
    if (existsSync(nm) && existsSync(join(root, d)))
      cpSync(nm, join(root, d, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
  for (const f of readdirSync(join(ROOT, 'native'))) {
    if (f.endsWith('.node')) cpSync(join(ROOT, 'native', f), join(root, 'native', f));
  }
  return { root, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
}
