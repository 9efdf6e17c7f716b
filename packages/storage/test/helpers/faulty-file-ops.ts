// A FileOps that behaves like the real one until told to fail: a disk that fills up after N more bytes (the write
import { renameSync, writeFileSync } from 'node:fs';
// that crosses the limit writes what fits, then throws ENOSPC, as write(2) does), or fdatasync failing with EIO.
import {
  type BackgroundSync,
  type FileOps,
  fdatasyncEach,
  fdatasyncStartEach,
  realFileOps,
} from '../../src/file-ops.ts';

function errno(code: string): Error {
  return Object.assign(new Error(`${code} (injected)`), { code });
}

export class FaultyFileOps implements FileOps {
  /** Bytes that may still be written to .log files; Infinity = no limit. */
  spaceLeft = Number.POSITIVE_INFINITY;
  failFdatasync = false;
  writes = 0;

  open = realFileOps.open;
  close = realFileOps.close;
  read = realFileOps.read;
  fsync = realFileOps.fsync;
  ftruncate = realFileOps.ftruncate;
  size = realFileOps.size;
  rename = realFileOps.rename;
  unlink = realFileOps.unlink;
  mkdir = realFileOps.mkdir;
  rmdir = realFileOps.rmdir;
  readdir = realFileOps.readdir;
  exists = realFileOps.exists;
  readFile = realFileOps.readFile;
  writeFileAtomic = realFileOps.writeFileAtomic;
  syncDir = realFileOps.syncDir;

  write(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
    this.writes++;
    if (length <= this.spaceLeft) {
      this.spaceLeft -= length;
      return realFileOps.write(fd, buf, offset, length, position);
    }
    if (this.spaceLeft > 0) {
      const fits = this.spaceLeft;
      this.spaceLeft = 0;
      return realFileOps.write(fd, buf, offset, fits, position);
    }
    throw errno('ENOSPC');
  }

  fdatasync(fd: number): void {
    if (this.failFdatasync) throw errno('EIO');
    realFileOps.fdatasync(fd);
  }

  fdatasyncAll(fds: readonly number[]): Array<Error | null> {
    return fdatasyncEach(this, fds);
  }

  fdatasyncStart(fds: readonly number[]): BackgroundSync {
    return fdatasyncStartEach(this, fds);
  }
}

/**
 * The real file operations without fsync/fdatasync: for tests that reopen logs hundreds of times and do not test
 * durability against power loss (a process crash keeps the page cache), so they stay fast.
 */
export const noSyncFileOps: FileOps = {
  ...realFileOps,
  fdatasync() {},
  fdatasyncAll: (fds) => fds.map(() => null),
  fdatasyncStart: (fds) => fdatasyncStartEach(noSyncFileOps, fds),
  fsync() {},
  syncDir() {},
  writeFileAtomic(path, data) {
    writeFileSync(`${path}.tmp`, data);
    renameSync(`${path}.tmp`, path);
  },
};
