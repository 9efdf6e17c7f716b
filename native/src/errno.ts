// The addon's functions report a failure as -errno (one number, nothing allocated on the hot path); these turn it
// into Node's error code names and back, for the errors the JavaScript side throws or returns and for the twins,
// which see Node's errors and must answer with the same numbers.
import { constants } from 'node:os';

const errnos = constants.errno as Readonly<Record<string, number>>;

/** The name of a -errno result ('EIO', 'ENOSPC', ...), or `errno N` for one this platform does not name. */
export function errnoName(result: number): string {
  return Object.entries(errnos).find(([, v]) => v === -result)?.[0] ?? `errno ${-result}`;
}

/** -errno for a Node error (its `code`); -EIO when it names none this platform knows. */
export function negativeErrno(err: unknown): number {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return -((code !== undefined ? errnos[code] : undefined) ?? errnos.EIO);
}
