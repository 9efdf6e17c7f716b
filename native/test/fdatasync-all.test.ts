// fdatasyncAll: the addon's version (every fd at once on its own threads) and the JavaScript twin give the same
// answer per fd, in order: 0 for a file that synced, -EBADF for an fd that is not open, whatever their mix and count
// (more fds than the addon's 64 threads included).
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { addon, fdatasyncAll, fdatasyncAllJs, fdatasyncError, fdatasyncStart, nativeForcedOff } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-fdatasync-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function files(n: number): number[] {
  const fds: number[] = [];
  for (let i = 0; i < n; i++) {
    const fd = openSync(join(dir, `f-${fds.length}-${Math.random()}`), 'w+');
    writeSync(fd, Buffer.alloc(4096 + i, i));
    fds.push(fd);
  }
  return fds;
}

test('the addon is loaded unless SLUICE_NATIVE=0', () => {
  assert.equal(addon === null, nativeForcedOff);
});

test('every file of a turn syncs, in order, with more fds than threads', () => {
  const fds = files(100);
  try {
    assert.deepEqual(fdatasyncAll(fds), new Array(100).fill(0));
    assert.deepEqual(fdatasyncAllJs(fds), new Array(100).fill(0));
    assert.deepEqual(fdatasyncAll([]), []);
    assert.deepEqual(fdatasyncAll([fds[0]]), [0]);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
});

test('a closed fd fails alone, and the twin agrees result by result', () => {
  const fds = files(6);
  const closed = fds[2];
  closeSync(closed);
  // Good files and the closed fd, interleaved and repeated.
  const mix: number[] = [];
  for (let i = 0; i < 40; i++) mix.push(i % 7 === 3 ? closed : fds[[0, 1, 3, 4, 5][i % 5]]);
  try {
    const native = fdatasyncAll(mix);
    const twin = fdatasyncAllJs(mix);
    assert.deepEqual(native, twin);
    assert.deepEqual(
      native,
      mix.map((fd) => (fd === closed ? -constants.errno.EBADF : 0)),
    );
    const err = fdatasyncError(-constants.errno.EBADF, closed);
    assert.equal((err as NodeJS.ErrnoException).code, 'EBADF');
  } finally {
    for (const fd of fds) if (fd !== closed) closeSync(fd);
  }
});

test('a background batch gives the same results once done, by poll or by wait', async () => {
  const fds = files(20);
  const closed = fds.pop()!;
  closeSync(closed);
  const mix = [...fds, closed, fds[0]];
  const expected = mix.map((fd) => (fd === closed ? -constants.errno.EBADF : 0));
  try {
    const polled = fdatasyncStart(mix);
    let results = polled.poll();
    const deadline = Date.now() + 10_000;
    while (results === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1));
      results = polled.poll();
    }
    assert.deepEqual(results, expected);
    assert.deepEqual(polled.poll(), expected);
    const waited = fdatasyncStart(mix);
    assert.deepEqual(waited.wait(), expected);
    assert.deepEqual(waited.poll(), expected);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
});
