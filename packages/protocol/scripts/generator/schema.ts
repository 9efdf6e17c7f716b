// Loads Kafka's message JSON (whole-line `//` comments dropped) into the model the emitter walks: one MessageModel
// per file, its structs in definition order (nested and commonStructs), every field with its version ranges.
// Ranges are [lo, hi] with hi = MAX_VERSION for "N+"; "none" is null.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldNameOverrides, typeOverrides } from '../../src/overrides.ts';

export const MAX_VERSION = 32767;
export type Range = readonly [number, number];

export type PrimitiveKind =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';
const PRIMITIVES = new Set<string>([
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'bool',
  'string',
  'bytes',
  'records',
  'uuid',
]);

export interface FieldModel {
  jsonName: string;
  name: string;
  /** 'array' with elem, 'struct' with struct, or a primitive. */
  kind: PrimitiveKind | 'array' | 'struct';
  elem: PrimitiveKind | 'struct' | null;
  struct: StructModel | null;
  versions: Range | null;
  nullable: Range | null;
  tagged: Range | null;
  tag: number;
  /** Versions using compact (flexible) encoding for this field's strings/bytes/arrays. */
  compact: Range | null;
  ignorable: boolean;
  /** Raw JSON default, or undefined. */
  rawDefault: unknown;
}

export interface StructModel {
  jsonName: string;
  tsName: string;
  fields: FieldModel[];
}

export interface MessageModel {
  name: string;
  fileBase: string;
  moduleName: string;
  apiKey: number | null;
  type: string;
  valid: Range;
  flexible: Range | null;
  latestVersionUnstable: boolean;
  root: StructModel;
  structs: StructModel[];
}

interface JsonField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  ignorable?: boolean;
  default?: unknown;
  fields?: JsonField[];
}

interface JsonMessage {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
  fields: JsonField[];
  commonStructs?: { name: string; fields: JsonField[] }[];
}

export function parseRange(spec: string | undefined): Range | null {
  if (spec === undefined || spec === 'none') return null;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return [Number(plus[1]), MAX_VERSION];
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return [Number(span[1]), Number(span[2])];
  if (/^\d+$/.test(spec)) return [Number(spec), Number(spec)];
  throw new Error(`bad version range ${spec}`);
}

export function intersect(a: Range | null, b: Range | null): Range | null {
  if (a === null || b === null) return null;
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : null;
}

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

function camelCase(name: string): string {
  // 'ThrottleTimeMs' -> 'throttleTimeMs'; a leading acronym is lower-cased whole: 'IOCount' -> 'ioCount'.
  const m = /^([A-Z]+)(?=[A-Z][a-z]|$)/.exec(name);
  if (m && m[1].length > 1) return m[1].toLowerCase() + name.slice(m[1].length);
  return name[0].toLowerCase() + name.slice(1);
}

export function readJson(path: string): JsonMessage {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n');
  return JSON.parse(text) as JsonMessage;
}

export function loadMessages(dir: string): MessageModel[] {
  const out: MessageModel[] = [];
  for (const sub of ['messages', 'coordinator']) {
    const files = readdirSync(join(dir, sub))
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const file of files) out.push(buildMessage(readJson(join(dir, sub, file)), file.slice(0, -5)));
  }
  return out;
}

function buildMessage(json: JsonMessage, fileBase: string): MessageModel {
  const valid = parseRange(json.validVersions);
  if (valid === null) throw new Error(`${json.name}: no valid versions`);
  const flexible = intersect(parseRange(json.flexibleVersions), valid);
  const structs: StructModel[] = [];
  const byName = new Map<string, StructModel>();
  const pending = new Map<string, JsonField[]>();
  for (const cs of json.commonStructs ?? []) pending.set(cs.name, cs.fields);
  const collect = (fields: JsonField[]): void => {
    for (const f of fields) {
      if (f.fields !== undefined) {
        pending.set(f.type.replace(/^\[\]/, ''), f.fields);
        collect(f.fields);
      }
    }
  };
  collect(json.fields);
  for (const cs of json.commonStructs ?? []) collect(cs.fields);

  const structOf = (jsonName: string): StructModel => {
    const known = byName.get(jsonName);
    if (known !== undefined) return known;
    const fields = pending.get(jsonName);
    if (fields === undefined) throw new Error(`${json.name}: unknown struct ${jsonName}`);
    const tsName = jsonName.startsWith(json.name) ? jsonName : json.name + jsonName;
    const s: StructModel = { jsonName, tsName, fields: [] };
    byName.set(jsonName, s);
    structs.push(s);
    s.fields = fields.map((f) => buildField(f));
    return s;
  };

  const buildField = (f: JsonField): FieldModel => {
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    const isPrim = PRIMITIVES.has(base);
    const versions = intersect(parseRange(f.versions ?? f.taggedVersions), valid);
    const flexOverride = f.flexibleVersions !== undefined ? parseRange(f.flexibleVersions) : undefined;
    const compact = flexOverride === undefined ? intersect(flexible, versions) : intersect(flexOverride, versions);
    const nullable = intersect(parseRange(f.nullableVersions), versions);
    const name = fieldNameOverrides[`${json.name}.${f.name}`] ?? camelCase(f.name);
    return {
      jsonName: f.name,
      name,
      kind: isArray ? 'array' : isPrim ? (base as PrimitiveKind) : 'struct',
      elem: isArray ? (isPrim ? (base as PrimitiveKind) : 'struct') : null,
      struct: isPrim ? null : structOf(base),
      versions,
      nullable,
      tagged: f.tag === undefined ? null : intersect(parseRange(f.taggedVersions), versions),
      tag: f.tag ?? -1,
      compact,
      ignorable: f.ignorable === true,
      rawDefault: f.default,
    };
  };

  const root: StructModel = { jsonName: json.name, tsName: json.name, fields: [] };
  structs.push(root);
  root.fields = json.fields.map((f) => buildField(f));
  return {
    name: json.name,
    fileBase,
    moduleName: kebabCase(json.name),
    apiKey: json.apiKey ?? null,
    type: json.type,
    valid,
    flexible,
    latestVersionUnstable: json.latestVersionUnstable === true,
    root,
    structs,
  };
}

export { typeOverrides };
