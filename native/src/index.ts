// @sluice/native: every addon function with its JavaScript twin, and the pick this thread made for each.
// The addon (native/src/lib.rs) is loaded once per thread by addon.ts; SLUICE_NATIVE=0 forces every twin.
//   crc32c / crc32cUpdate   picked per call: the twin below NATIVE_MIN_BYTES (192 B), native above (when loaded).
//                           The pick lives in packages/protocol/src/records/crc32c.ts, which every caller uses.
//   fdatasyncAll            native (every fd at once on the addon's threads) when loaded, the twin else.
//   sendRanges              picked per socket: addon sendFile (zero-copy) on plain TCP, sendRangesBuffered else.
import {
  crc32c,
  crc32cUpdate,
  crc32cUpdateJs,
  NATIVE_MIN_BYTES,
  nativeCrc32cUpdate,
} from '@sluice/protocol/records/crc32c.ts';
import { addon, addonLoadError, type NativeAddon, nativeForcedOff } from './addon.ts';
import { fdatasyncAllImplementation } from './fdatasync-all.ts';

export {
  type FdatasyncBatch,
  fdatasyncAll,
  fdatasyncAllImplementation,
  fdatasyncAllJs,
  fdatasyncError,
  fdatasyncStart,
} from './fdatasync-all.ts';
export {
  type FileRange,
  type SendPart,
  type SendResult,
  sendRanges,
  sendRangesBuffered,
  zeroCopyFd,
} from './send-ranges.ts';
export type { NativeAddon };
export {
  addon,
  addonLoadError,
  crc32c,
  crc32cUpdate,
  crc32cUpdateJs,
  NATIVE_MIN_BYTES,
  nativeCrc32cUpdate,
  nativeForcedOff,
};

/** Which implementation each function uses in this thread (for logs and metrics at start-up). */
export function nativeSelection(): {
  crc32c: string;
  sendRanges: string;
  fdatasyncAll: string;
  reason: string | null;
} {
  return {
    fdatasyncAll: fdatasyncAllImplementation,
    crc32c: nativeCrc32cUpdate !== null ? `${addon!.crc32cImplementation()} from ${NATIVE_MIN_BYTES} B` : 'javascript',
    sendRanges: addon?.sendFileSupported() ? 'sendfile (plain TCP), buffered (TLS)' : 'buffered',
    reason: addonLoadError?.message ?? null,
  };
}
