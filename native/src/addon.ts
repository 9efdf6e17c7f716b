// Loads the built addon, native/sluice-native.<platform>-<arch>[-gnu|-musl].node, once per thread: an ES module is
// evaluated once per thread, and N-API addons are context-aware, so every worker_thread gets its own instance.
// `addon` is null when SLUICE_NATIVE=0 (every twin forced), when no file was built for this platform, or when the
// file fails to load; `addonLoadError` then says why. Imports nothing of Sluice's, so packages/protocol can load
// it with an optional require (see packages/protocol/src/records/crc32c.ts) without an import cycle.
// The file is built by scripts/setup (`napi build --release --platform --no-js` in native/).
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exports (native/src/lib.rs). */
export interface NativeAddon {
  /** CRC-32C of data[start, end) continuing from crc (0 starts a new one); SSE4.2 where the CPU has it. */
  crc32cUpdate(crc: number, data: Uint8Array, start: number, end: number): number;
  /** The same with the table fallback only (what CPUs without SSE4.2 run); for tests and benches. */
  crc32cPortableUpdate(crc: number, data: Uint8Array, start: number, end: number): number;
  crc32cImplementation(): 'sse4.2' | 'table';
  /**
   * Writes header, then file bytes [position, position + length) with sendfile(2), to a non-blocking socket.
   * > 0 bytes written (maybe fewer than asked: call again with the rest), 0 would block (wait for writability),
   * < 0 -errno with nothing written (-ENODATA: the file ended first; -EINVAL: the socket is blocking).
   */
  sendFile(socketFd: number, header: Uint8Array, fileFd: number, position: number, length: number): number;
  sendFileSupported(): boolean;
  /** fdatasync(2) of every fd at the same time on the addon's own threads; returns 0 or -errno per fd, in order. */
  fdatasyncAll(fds: number[]): number[];
  /** fdatasyncAll in the background: returns an id for fdatasyncPoll / fdatasyncWait. */
  fdatasyncStart(fds: number[]): number;
  /** The results of a background batch once every fd is done (then the id is forgotten); null while it runs. */
  fdatasyncPoll(id: number): number[] | null;
  /** Blocks until the batch is done; its results, or null for an unknown (already collected) id. */
  fdatasyncWait(id: number): number[] | null;
}

/** True when SLUICE_NATIVE=0: every function runs its JavaScript twin. */
export const nativeForcedOff = process.env.SLUICE_NATIVE === '0';

/** Directory holding the built .node files (native/). */
export const addonDirectory = fileURLToPath(new URL('..', import.meta.url));

let loadError: Error | null = null;

function load(): NativeAddon | null {
  if (nativeForcedOff) {
    loadError = new Error('SLUICE_NATIVE=0');
    return null;
  }
  const prefix = `sluice-native.${process.platform}-${process.arch}`;
  let candidates: string[];
  try {
    candidates = readdirSync(addonDirectory).filter((f) => f.startsWith(prefix) && f.endsWith('.node'));
  } catch (err) {
    loadError = err as Error;
    return null;
  }
  if (candidates.length === 0) {
    loadError = new Error(`no ${prefix}*.node in ${addonDirectory}: run scripts/setup`);
    return null;
  }
  const require = createRequire(import.meta.url);
  for (const file of candidates.sort()) {
    try {
      return require(`${addonDirectory}${file}`) as NativeAddon;
    } catch (err) {
      loadError = err as Error; // e.g. a -gnu build on a musl system: try the next candidate
    }
  }
  return null;
}

/** The addon of this thread, or null (see addonLoadError). */
export const addon: NativeAddon | null = load();

/** Why addon is null; null when it loaded. */
export const addonLoadError: Error | null = addon === null ? loadError : null;
