// fast-check arbitraries for any generated message at any version, built from src/generated/schemas.ts: fields
// present in the version get random values (type limits included, nulls where nullable, tagged fields either
// default or set); absent fields keep their defaults so the message is writable in that version.
import fc from 'fast-check';
import type { FieldSchema, MessageSchema } from '../../src/generated/schemas.ts';

const INT_LIMITS: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

function inRange(r: readonly [number, number] | null, v: number): boolean {
  return r !== null && v >= r[0] && v <= r[1];
}

function intArb(type: string): fc.Arbitrary<number> {
  const [min, max] = INT_LIMITS[type];
  return fc.oneof(fc.constantFrom(min, max, 0, Math.max(-1, min)), fc.integer({ min, max }));
}

function primitiveArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int64':
      return fc.oneof(fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, -1n), fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n));
    case 'float64':
      return fc.double();
    case 'bool':
      return fc.boolean();
    case 'string':
      return fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', 'Z'), maxLength: 6 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a));
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'));
    default:
      return intArb(type);
  }
}

function defaultValue(schema: MessageSchema, f: FieldSchema): unknown {
  if (f.default === '[]') return [];
  if (f.default === '{}') return defaultStruct(schema, f.struct as string);
  return f.default;
}

function defaultStruct(schema: MessageSchema, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schema.structs[name]) out[f.name] = defaultValue(schema, f);
  return out;
}

function fieldArb(schema: MessageSchema, f: FieldSchema, version: number, depth: number): fc.Arbitrary<unknown> {
  let value: fc.Arbitrary<unknown>;
  if (f.type === 'array') {
    const elem =
      f.elem === 'struct'
        ? structArb(schema, schema.structs[f.struct as string], version, depth + 1)
        : primitiveArb(f.elem as string);
    value = fc.array(elem, { maxLength: depth > 2 ? 1 : 3 });
  } else if (f.type === 'struct') {
    value = structArb(schema, schema.structs[f.struct as string], version, depth + 1);
  } else {
    value = primitiveArb(f.type);
  }
  if (inRange(f.nullable, version)) value = fc.oneof(value, fc.constant(null));
  if (inRange(f.tagged, version)) value = fc.oneof(fc.constant(defaultValue(schema, f)), value);
  return value;
}

function structArb(
  schema: MessageSchema,
  fields: readonly FieldSchema[],
  version: number,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) {
    shape[f.name] = inRange(f.versions, version)
      ? fieldArb(schema, f, version, depth)
      : fc.constant(null).map(() => defaultValue(schema, f));
  }
  return fc.record(shape);
}

/** Random valid messages of `schema` for `version`. */
export function arbitraryMessage(schema: MessageSchema, version: number): fc.Arbitrary<Record<string, unknown>> {
  return structArb(schema, schema.fields, version, 0);
}
