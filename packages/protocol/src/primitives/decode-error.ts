// DecodeError: the one error every decoder of untrusted bytes raises. Decoders throw it internally (cheap to unwind
// out of generated code) and public entry points turn it into a value: `{ ok: false, error }`. It never escapes to
// crash a connection handler or the process.

export class DecodeError extends Error {
  /** Byte position in the input at which decoding failed. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'DecodeError';
    this.offset = offset;
  }
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** Runs a decoder and turns a DecodeError (or a RangeError from a Buffer read past its end) into a value. */
export function tryDecode<T>(decode: () => T): Decoded<T> {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, error: err };
    if (err instanceof RangeError) return { ok: false, error: new DecodeError(err.message, -1) };
    throw err;
  }
}
