// The addon's CRC-32C (SSE4.2 and its table fallback) and the JavaScript twin give the same answers, and the pick
// made by packages/protocol's crc32c follows SLUICE_NATIVE. Fails when the addon is not built (scripts/setup builds
// it), unless SLUICE_NATIVE=0 says the twins are wanted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { addon, addonLoadError, crc32c, crc32cUpdate, crc32cUpdateJs, nativeForcedOff } from '../src/index.ts';

test('the addon is built and loads, unless SLUICE_NATIVE=0 forces the twins', () => {
  if (nativeForcedOff) assert.equal(addon, null);
  else assert.ok(addon !== null, `addon not loaded: ${addonLoadError?.message}`);
});

const vectors: Array<[Uint8Array, number]> = [
  [Buffer.from('123456789'), 0xe3069283],
  [Buffer.alloc(32), 0x8a9136aa],
  [Buffer.alloc(32, 0xff), 0x62a8ab43],
  [Buffer.alloc(0), 0],
];

test('every implementation gives the published CRC-32C check values', () => {
  for (const [data, want] of vectors) {
    assert.equal(crc32cUpdateJs(0, data, 0, data.length), want);
    assert.equal(crc32c(data), want);
    if (addon !== null) {
      assert.equal(addon.crc32cUpdate(0, data, 0, data.length), want);
      assert.equal(addon.crc32cPortableUpdate(0, data, 0, data.length), want);
    }
  }
});

test('native and JavaScript CRC-32C agree on random data, lengths 0..100k, offsets and starting values', () => {
  const data = Buffer.alloc(100_000 + 64);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 0, max: 100_000 }),
      ),
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: data.length - 1 }),
      (length, offset, crc, flip) => {
        data[flip] ^= 0x5a; // vary the contents between runs
        const want = crc32cUpdateJs(crc, data, offset, offset + length);
        assert.equal(crc32cUpdate(crc, data, offset, offset + length), want);
        if (addon !== null) {
          assert.equal(addon.crc32cUpdate(crc, data, offset, offset + length), want);
          assert.equal(addon.crc32cPortableUpdate(crc, data, offset, offset + length), want);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('native CRC-32C rejects a range outside the buffer instead of reading past it', { skip: addon === null }, () => {
  assert.throws(() => addon!.crc32cUpdate(0, Buffer.alloc(8), 0, 9));
  assert.throws(() => addon!.crc32cUpdate(0, Buffer.alloc(8), 5, 4));
});

test('CRC-32C answers the same inside a worker thread', async () => {
  const data = Buffer.alloc(50_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.url).then((m) => parentPort.postMessage({
      crc: m.crc32c(workerData.data),
      loaded: m.addon !== null,
    }));`;
  const url = new URL('../src/index.ts', import.meta.url).href;
  const worker = new Worker(source, { eval: true, workerData: { url, data } });
  const answer = await new Promise<{ crc: number; loaded: boolean }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(answer.crc, crc32cUpdateJs(0, data, 0, data.length));
  assert.equal(answer.loaded, addon !== null);
});

test('SLUICE_NATIVE=0 makes a process use every JavaScript twin', () => {
  const script = `import('${new URL('../src/index.ts', import.meta.url).href}').then((m) =>
    console.log(JSON.stringify({ addon: m.addon === null, crc: m.nativeCrc32cUpdate === null, value: m.crc32c(Buffer.alloc(4096, 7)) })))`;
  const child = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, SLUICE_NATIVE: '0' },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const seen = JSON.parse(child.stdout) as { addon: boolean; crc: boolean; value: number };
  assert.deepEqual(seen, { addon: true, crc: true, value: crc32cUpdateJs(0, Buffer.alloc(4096, 7), 0, 4096) });
});
