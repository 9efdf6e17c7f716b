// The synchronous file operations storage uses, behind one interface so tests can inject faults (ENOSPC, EIO,
// short writes) without a real full disk. Owner: shard. Shards do synchronous I/O only (ARCHITECTURE.md §2): libuv's
// thread pool is shared by the whole process and async fs in every shard would fight over it. fdatasyncAll is the
// one call that uses threads, the addon's own (@sluice/native fdatasyncAll), and it too returns only when done.
//
// Every method throws Node's usual `Error & { code }` (ENOENT, ENOSPC, EIO, ...) on failure; callers on the append
// and flush paths turn those into KAFKA_STORAGE_ERROR values.
import * as fs from 'node:fs';
import { fdatasyncAll, fdatasyncError, fdatasyncStart } from '@sluice/native/fdatasync-all.ts';

export interface FileOps {
  /** Opens `path` with node:fs flags ('r', 'r+', 'w+', 'wx+', ...); returns the fd. */
  open(path: string, flags: string): number;
  close(fd: number): void;
  /** Positional write; may write fewer bytes than asked (callers loop). Returns bytes written. */
  write(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Positional read; returns bytes read (0 at end of file). */
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  fdatasync(fd: number): void;
  /**
   * fdatasync of every fd, at the same time where the platform allows (a group commit's turn); null or the error for
   * each fd, in order. Never throws.
   */
  fdatasyncAll(fds: readonly number[]): Array<Error | null>;
  /** fdatasyncAll in the background (flushes nobody waits for): the fds must stay open until it is done. */
  fdatasyncStart(fds: readonly number[]): BackgroundSync;
  fsync(fd: number): void;
  ftruncate(fd: number, length: number): void;
  /** Size of the open file in bytes. */
  size(fd: number): number;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  mkdir(path: string): void;
  /** Removes a directory and everything under it. */
  rmdir(path: string): void;
  readdir(path: string): string[];
  exists(path: string): boolean;
  readFile(path: string): Buffer;
  /** Writes a small file atomically: temp file, fsync, rename over `path`, fsync of the directory. */
  writeFileAtomic(path: string, data: Uint8Array): void;
  /** fsync of a directory, so that creates, renames and unlinks in it survive a crash. */
  syncDir(path: string): void;
}

/** A background fdatasyncAll (FileOps.fdatasyncStart). */
export interface BackgroundSync {
  /** null or the error per fd once all are done; null (the whole answer) while any still runs. */
  poll(): Array<Error | null> | null;
  /** Blocks until all are done. */
  wait(): Array<Error | null>;
}

function errorsOf(results: readonly number[], fds: readonly number[]): Array<Error | null> {
  return results.map((r, i) => (r === 0 ? null : fdatasyncError(r, fds[i])));
}

/** The real thing: node:fs synchronous calls. */
export const realFileOps: FileOps = {
  open: (path, flags) => fs.openSync(path, flags),
  close: (fd) => fs.closeSync(fd),
  write: (fd, buf, offset, length, position) => fs.writeSync(fd, buf, offset, length, position),
  read: (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  fdatasync: (fd) => fs.fdatasyncSync(fd),
  fdatasyncAll: (fds) => errorsOf(fdatasyncAll(fds), fds),
  fdatasyncStart(fds) {
    const batch = fdatasyncStart(fds);
    return {
      poll: () => {
        const r = batch.poll();
        return r === null ? null : errorsOf(r, fds);
      },
      wait: () => errorsOf(batch.wait(), fds),
    };
  },
  fsync: (fd) => fs.fsyncSync(fd),
  ftruncate: (fd, length) => fs.ftruncateSync(fd, length),
  size: (fd) => fs.fstatSync(fd).size,
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (path) => fs.unlinkSync(path),
  mkdir: (path) => fs.mkdirSync(path, { recursive: true }),
  rmdir: (path) => fs.rmSync(path, { recursive: true, force: true }),
  readdir: (path) => fs.readdirSync(path),
  exists: (path) => fs.existsSync(path),
  readFile: (path) => fs.readFileSync(path),
  writeFileAtomic(path, data) {
    const tmp = `${path}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, done);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
    realFileOps.syncDir(dirOf(path));
  },
  syncDir(path) {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Writes all of buf[offset, offset+length) at `position`, looping over short writes. Throws on error. */
export function writeFully(
  ops: FileOps,
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
) {
  let done = 0;
  while (done < length) {
    const n = ops.write(fd, buf, offset + done, length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += n;
  }
}

/** Reads exactly `length` bytes (fewer only at end of file); returns the count read. */
export function readFully(ops: FileOps, fd: number, buf: Uint8Array, offset: number, length: number, position: number) {
  let done = 0;
  while (done < length) {
    const n = ops.read(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** fdatasyncStart through `ops.fdatasync`: done before it returns (for FileOps that wrap or fake fdatasync). */
export function fdatasyncStartEach(ops: FileOps, fds: readonly number[]): BackgroundSync {
  const results = fdatasyncEach(ops, fds);
  return { poll: () => results, wait: () => results };
}

/** fdatasyncAll through `ops.fdatasync`, one fd after another: for FileOps that wrap or fake fdatasync. */
export function fdatasyncEach(ops: FileOps, fds: readonly number[]): Array<Error | null> {
  return fds.map((fd) => {
    try {
      ops.fdatasync(fd);
      return null;
    } catch (err) {
      return err as Error;
    }
  });
}
