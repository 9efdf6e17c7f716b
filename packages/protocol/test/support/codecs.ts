// Loads every generated message module with its read/write/sizeOf/default functions, by schema.
import type { MessageSchema } from '../../src/generated/schemas.ts';
import type { Reader } from '../../src/primitives/reader.ts';
import type { Writer } from '../../src/primitives/writer.ts';

export interface LoadedCodec {
  read(r: Reader, version: number): unknown;
  write(w: Writer, m: unknown, version: number): void;
  sizeOf(m: unknown, version: number): number;
  default(): unknown;
}

export async function loadCodec(schema: MessageSchema): Promise<LoadedCodec> {
  const mod = (await import(`../../src/generated/${schema.module}.ts`)) as Record<string, unknown>;
  const get = (prefix: string) => mod[prefix + schema.name] as never;
  return { read: get('read'), write: get('write'), sizeOf: get('sizeOf'), default: get('default') };
}
