// fdatasyncAll(fds): fdatasync(2) of every fd, returning 0 or -errno per fd in order; returns when all are done.
// - native (the addon's fdatasync_all.rs): all at once on the addon's own threads, so one group-commit turn costs about
//   one fdatasync instead of one per dirty partition (5.5x less a round for 16 files on this kind of machine);
// - the JavaScript twin: one fs.fdatasyncSync after the other (same results, slower when there are several fds).
// Synchronous either way: the caller (a shard's group commit) keeps its loop synchronous.
// fdatasyncStart(fds): the same in the background, for flushes nobody waits for (flush.ms): the batch is polled
// (poll(): results or null while running) or waited for (wait()). The twin syncs at start and keeps the results.
import { fdatasyncSync } from 'node:fs';
import { addon } from './addon.ts';
import { errnoName, negativeErrno } from './errno.ts';

/** The twin: one fdatasync after another. */
export function fdatasyncAllJs(fds: readonly number[]): number[] {
  const out = new Array<number>(fds.length);
  for (let i = 0; i < fds.length; i++) {
    try {
      fdatasyncSync(fds[i]);
      out[i] = 0;
    } catch (err) {
      out[i] = negativeErrno(err);
    }
  }
  return out;
}

const native = addon !== null && typeof addon.fdatasyncAll === 'function' ? addon.fdatasyncAll : null;

/** The native version when the addon is loaded, else the twin. */
export const fdatasyncAll: (fds: readonly number[]) => number[] =
  native === null ? fdatasyncAllJs : (fds) => native(fds as number[]);

/** A background fdatasync of some fds (fdatasyncStart). */
export interface FdatasyncBatch {
  /** 0 or -errno per fd once every fd is done; null while any still runs. */
  poll(): number[] | null;
  /** Blocks until every fd is done; 0 or -errno per fd. */
  wait(): number[];
}

/** Starts fdatasync of every fd on the addon's threads (the twin: at once, before returning). */
export function fdatasyncStart(fds: readonly number[]): FdatasyncBatch {
  if (addon === null || typeof addon.fdatasyncStart !== 'function') {
    const results = fdatasyncAllJs(fds);
    return { poll: () => results, wait: () => results };
  }
  const a = addon;
  const id = a.fdatasyncStart(fds as number[]);
  let results: number[] | null = null;
  return {
    poll: () => {
      results ??= a.fdatasyncPoll(id);
      return results;
    },
    wait: () => {
      // Unknown only if it was collected already, and then `results` holds it: never report a sync not seen done.
      results ??= a.fdatasyncWait(id);
      if (results === null) throw new Error(`fdatasync batch ${id} is unknown to the addon`);
      return results;
    },
  };
}

/** An Error like Node's for a -errno result (code 'EIO', 'ENOSPC', ...). */
export function fdatasyncError(result: number, fd: number): Error {
  const name = errnoName(result);
  return Object.assign(new Error(`${name}: fdatasync of fd ${fd} failed`), { code: name, errno: result });
}

/** Which implementation fdatasyncAll uses in this thread. */
export const fdatasyncAllImplementation: 'threads' | 'javascript' = native === null ? 'javascript' : 'threads';
