// One broker per data directory. Kafka takes an flock on `<log dir>/.lock`; Node has no flock, so the lock here is
// the same file created exclusively (O_CREAT|O_EXCL) holding the owner's pid. A lock whose pid is no longer alive
// (a crashed broker) is taken over. Released (unlinked) on a clean stop. Two brokers on one data directory would
// append to the same segments and corrupt them, so a live owner makes start fail.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export const LOCK_FILE = '.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's lock; throws (naming the owner) when another live process holds it. */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}/${LOCK_FILE}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch {
        // Unreadable: treat as stale.
      }
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new Error(`${dataDir} is in use by another broker (pid ${owner}, ${path})`);
      }
      unlinkSync(path);
    }
  }
  throw new Error(`${path}: could not take the lock`);
}
