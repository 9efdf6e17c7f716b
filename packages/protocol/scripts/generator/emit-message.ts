// Emits one generated module (src/generated/<kebab-name>.ts) from a MessageModel: the interfaces, then straight-line
// read/sizeOf/write/default functions per struct, one helper per array element type, and XMeta. Version checks are
// integer comparisons folded against the range where they are known (a field present in 3+ of a 0-11 message
// reads `version >= 3`; one present everywhere reads unconditionally).
import {
  type FieldModel,
  intersect,
  MAX_VERSION,
  type MessageModel,
  type Range,
  type StructModel,
  typeOverrides,
} from './schema.ts';

const FIXED_SIZE: Record<string, number> = {
  int8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};
const METHOD: Record<string, string> = {
  int8: 'Int8',
  bool: 'Bool',
  int16: 'Int16',
  uint16: 'Uint16',
  int32: 'Int32',
  uint32: 'Uint32',
  int64: 'Int64',
  float64: 'Float64',
  uuid: 'Uuid',
};
const TS_TYPE: Record<string, string> = {
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  float64: 'number',
  int64: 'bigint',
  bool: 'boolean',
  string: 'string',
  bytes: 'Buffer',
  records: 'Buffer | null',
  uuid: 'string',
};

/** Condition for `version` in r, knowing version is in `within`: 'true', 'false' or a comparison. */
export function cond(r: Range | null, within: Range): string {
  const x = intersect(r, within);
  if (x === null) return 'false';
  const parts: string[] = [];
  if (x[0] > within[0]) parts.push(`version >= ${x[0]}`);
  if (x[1] < within[1]) parts.push(`version <= ${x[1]}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

function tern(c: string, a: string, b: string): string {
  if (c === 'true' || a === b) return a;
  if (c === 'false') return b;
  return `(${c} ? ${a} : ${b})`;
}

function ifElse(c: string, a: string, b: string, indent: string): string {
  if (c === 'true' || a === b) return `${indent}${a}\n`;
  if (c === 'false') return `${indent}${b}\n`;
  return `${indent}if (${c}) ${a}\n${indent}else ${b}\n`;
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

class Emitter {
  readonly msg: MessageModel;
  readonly valid: Range;
  readonly flexibleStructs: boolean;
  readonly needIsDefault = new Set<StructModel>();
  readonly arrayHelpers = new Map<string, FieldModel>();
  usesZeroUuid = false;
  usesEmptyBytes = false;
  usesFileRange = false;

  constructor(msg: MessageModel) {
    this.msg = msg;
    this.valid = msg.valid;
    this.flexibleStructs = msg.flexible !== null;
  }

  tsType(f: FieldModel): string {
    let t: string;
    if (f.kind === 'array') {
      const e = f.elem === 'struct' ? (f.struct as StructModel).tsName : TS_TYPE[f.elem as string];
      t = `${e}[]`;
    } else if (f.kind === 'struct') t = (f.struct as StructModel).tsName;
    else t = typeOverrides[f.kind]?.tsType ?? TS_TYPE[f.kind];
    if ((f.nullable !== null || this.defaultExpr(f) === 'null') && !t.endsWith('| null')) t += ' | null';
    return t;
  }

  defaultExpr(f: FieldModel): string {
    const raw = f.rawDefault;
    const isNull = raw === 'null' || raw === null;
    switch (f.kind) {
      case 'array':
        return isNull ? 'null' : '[]';
      case 'struct':
        return isNull ? 'null' : `default${(f.struct as StructModel).tsName}()`;
      case 'int64':
        return raw === undefined ? '0n' : `${BigInt(raw as string | number)}n`;
      case 'bool':
        return raw === true || raw === 'true' ? 'true' : 'false';
      case 'string':
        return isNull ? 'null' : raw === undefined ? "''" : JSON.stringify(raw);
      case 'uuid':
        this.usesZeroUuid = true;
        return 'ZERO_UUID';
      case 'bytes':
        if (isNull) return 'null';
        this.usesEmptyBytes = true;
        return 'EMPTY_BYTES';
      case 'records':
        return 'null';
      default: {
        if (raw === undefined) return '0';
        const n = Number(raw);
        if (!Number.isFinite(n)) throw new Error(`${this.msg.name}.${f.jsonName}: bad default ${String(raw)}`);
        return String(n);
      }
    }
  }

  /** Expression true when v differs from the field's default. */
  nonDefault(f: FieldModel, v: string): string {
    const d = this.defaultExpr(f);
    if (f.kind === 'struct') {
      if (d === 'null') return `${v} !== null`;
      const s = f.struct as StructModel;
      this.needIsDefault.add(s);
      return `(${v} === null || !isDefault${s.tsName}(${v}))`;
    }
    if (f.kind === 'array' || f.kind === 'bytes') {
      return d === 'null' ? `${v} !== null` : `(${v} === null || ${v}.length !== 0)`;
    }
    return `${v} !== ${d}`;
  }

  readExpr(f: FieldModel, within: Range): string {
    const c = cond(f.compact, within);
    const n = cond(f.nullable, within);
    switch (f.kind) {
      case 'string':
        return tern(
          c,
          tern(n, 'r.readCompactNullableString()', 'r.readCompactString()'),
          tern(n, 'r.readNullableString()', 'r.readString()'),
        );
      case 'bytes':
      case 'records':
        return tern(
          c,
          tern(n, 'r.readCompactNullableBytes()', 'r.readCompactBytes()'),
          tern(n, 'r.readNullableBytes()', 'r.readBytes()'),
        );
      case 'struct': {
        const t = (f.struct as StructModel).tsName;
        return tern(n, `(r.readInt8() < 0 ? null : read${t}(r, version))`, `read${t}(r, version)`);
      }
      case 'array': {
        const h = this.arrayHelper(f);
        const call = `read${h}Array(r, version, ${c}, ${n})`;
        return this.tsType(f).endsWith('| null') ? call : `(${call} as ${this.tsType(f)})`;
      }
      default:
        return `r.read${METHOD[f.kind]}()`;
    }
  }

  sizeExpr(f: FieldModel, within: Range, v: string): string {
    const c = cond(f.compact, within);
    switch (f.kind) {
      case 'string':
        return tern(c, `sizeOfCompactString(${v})`, `sizeOfString(${v})`);
      case 'bytes':
        return tern(c, `sizeOfCompactBytes(${v})`, `sizeOfBytes(${v})`);
      case 'records':
        // `${v}InFile`: records kept out of the body (primitives/file-records.ts).
        return `sizeOfRecords(${v}, ${v}InFile, ${c})`;
      case 'struct': {
        const t = (f.struct as StructModel).tsName;
        if (!this.tsType(f).endsWith('| null')) return `sizeOf${t}(${v}, version)`;
        return `(${v} === null ? 1 : ${tern(cond(f.nullable, within), '1 + ', '')}sizeOf${t}(${v}, version))`;
      }
      case 'array':
        return `sizeOf${this.arrayHelper(f)}Array(${v}, version, ${c})`;
      default:
        return String(FIXED_SIZE[f.kind]);
    }
  }

  writeStmt(f: FieldModel, within: Range, v: string, indent: string): string {
    const c = cond(f.compact, within);
    const n = cond(f.nullable, within);
    switch (f.kind) {
      case 'string':
        return ifElse(
          c,
          `${tern(n, `w.writeCompactNullableString(${v})`, `w.writeCompactString(${v})`)};`,
          `${tern(n, `w.writeNullableString(${v})`, `w.writeString(${v})`)};`,
          indent,
        );
      case 'records':
        return `${indent}w.writeRecords(${v}, ${v}InFile, ${c}, ${n});\n`;
      case 'bytes':
        return ifElse(
          c,
          `${tern(n, `w.writeCompactNullableBytes(${v})`, `w.writeCompactBytes(${v})`)};`,
          `${tern(n, `w.writeNullableBytes(${v})`, `w.writeBytes(${v})`)};`,
          indent,
        );
      case 'struct': {
        const t = (f.struct as StructModel).tsName;
        if (!this.tsType(f).endsWith('| null')) return `${indent}write${t}(w, ${v}, version);\n`;
        const onNull = tern(n, 'w.writeInt8(-1);', `throw new TypeError('${f.name} is null in version ' + version);`);
        const some = tern(n, `{ w.writeInt8(1); write${t}(w, ${v}, version); }`, `write${t}(w, ${v}, version);`);
        return `${indent}if (${v} === null) ${onNull}\n${indent}else ${some}\n`;
      }
      case 'array':
        return `${indent}write${this.arrayHelper(f)}Array(w, ${v}, version, ${c}, ${n});\n`;
      default:
        return `${indent}w.write${METHOD[f.kind]}(${v});\n`;
    }
  }

  /** Registers the array helper for f's element type; returns its name stem. */
  arrayHelper(f: FieldModel): string {
    const stem = f.elem === 'struct' ? (f.struct as StructModel).tsName : cap(f.elem as string);
    if (!this.arrayHelpers.has(stem)) this.arrayHelpers.set(stem, f);
    return stem;
  }
}

export function emitMessage(msg: MessageModel): string {
  const e = new Emitter(msg);
  const parts: string[] = [];
  for (const s of msg.structs) parts.push(emitStruct(e, s, s === msg.root));
  const arrays: string[] = [];
  for (const [stem, f] of e.arrayHelpers) arrays.push(emitArrayHelpers(e, stem, f));
  const isDefaults: string[] = [];
  const done = new Set<StructModel>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of [...e.needIsDefault]) {
      if (done.has(s)) continue;
      done.add(s);
      grew = true;
      isDefaults.push(emitIsDefault(e, s));
    }
  }
  const m = msg;
  const meta =
    `export const ${m.name}Meta = {\n  name: '${m.name}',\n  apiKey: ${m.apiKey},\n  type: '${m.type}',\n` +
    `  minVersion: ${m.valid[0]},\n  maxVersion: ${m.valid[1]},\n  flexibleMin: ${m.flexible === null ? 'null' : m.flexible[0]},\n` +
    `  latestVersionUnstable: ${m.latestVersionUnstable},\n} as const;\n`;
  const body = [meta, ...parts, ...arrays, ...isDefaults].join('\n');
  const readerNames = ['Reader'];
  if (e.usesEmptyBytes) readerNames.unshift('EMPTY_BYTES');
  if (e.flexibleStructs) readerNames.push('type UnknownTaggedField');
  const writerNames = ['UnsupportedVersionError', 'Writer'];
  for (const fn of [
    'sizeOfBytes',
    'sizeOfCompactArrayLength',
    'sizeOfCompactBytes',
    'sizeOfCompactString',
    'sizeOfString',
    'sizeOfUnknownTaggedFields',
  ]) {
    if (new RegExp(`\\b${fn}\\(`).test(body)) writerNames.push(fn);
  }
  writerNames.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  const imports = [
    `import { DecodeError } from '../primitives/decode-error.ts';`,
    `import { ${readerNames.join(', ')} } from '../primitives/reader.ts';`,
  ];
  if (e.usesFileRange) {
    imports.push(`import { type FileRange, sizeOfRecords } from '../primitives/file-records.ts';`);
  }
  if (e.usesZeroUuid) imports.push(`import { ZERO_UUID } from '../primitives/uuid.ts';`);
  if (/\bsizeOfUnsignedVarint\(/.test(body))
    imports.push(`import { sizeOfUnsignedVarint } from '../primitives/varint.ts';`);
  imports.push(`import { ${writerNames.join(', ')} } from '../primitives/writer.ts';`);
  const range = m.valid[0] === m.valid[1] ? `v${m.valid[0]}` : `v${m.valid[0]}-${m.valid[1]}`;
  const flex = m.flexible === null ? 'never flexible' : `flexible from v${m.flexible[0]}`;
  const key = m.apiKey === null ? m.type : `${m.type}, API key ${m.apiKey}`;
  return (
    `// Generated by packages/protocol/scripts/generate.ts from Kafka's ${m.fileBase}.json. Do not edit.\n` +
    `// ${m.name} (${key}) ${range}, ${flex}.\n` +
    `${imports.join('\n')}\n\n${body}`
  );
}

function emitStruct(e: Emitter, s: StructModel, isRoot: boolean): string {
  const V = e.valid;
  const T = s.tsName;
  const flex = cond(e.msg.flexible, V);
  const exp = isRoot ? 'export ' : '';
  let out = `export interface ${T} {\n`;
  for (const f of s.fields) {
    out += `  ${f.name}: ${e.tsType(f)};\n`;
    if (f.kind === 'records') {
      e.usesFileRange = true;
      out += `  /** Records kept out of the encoded body: a file range sent in place of ${f.name} (encodeResponseParts). */\n  ${f.name}InFile?: FileRange;\n`;
    }
  }
  if (e.flexibleStructs)
    out +=
      '  /** Tagged fields this schema does not know, kept for byte-exact re-encoding. */\n  unknownTaggedFields?: UnknownTaggedField[];\n';
  out += '}\n\n';

  const regular = s.fields.filter((f) => f.tagged === null);
  const tagged = s.fields.filter((f) => f.tagged !== null).sort((a, b) => a.tag - b.tag);
  for (const f of tagged) {
    if (f.tagged?.[0] !== f.versions?.[0] || f.tagged?.[1] !== f.versions?.[1]) {
      throw new Error(`${e.msg.name}.${f.jsonName}: tagged in only part of its versions`);
    }
  }
  const guard = isRoot
    ? `  if (version < ${V[0]} || version > ${V[1]}) throw new DecodeError(\`${e.msg.name} v\${version} is not supported\`, r.pos);\n`
    : '';
  const wguard = isRoot
    ? `  if (version < ${V[0]} || version > ${V[1]}) throw new UnsupportedVersionError(\`${e.msg.name} v\${version} is not supported\`);\n`
    : '';

  // read
  out += `${exp}function read${T}(r: Reader, version: number): ${T} {\n${guard}`;
  out += `  const m: ${T} = {\n`;
  for (const f of s.fields) {
    const v =
      f.tagged !== null || f.versions === null
        ? e.defaultExpr(f)
        : tern(cond(f.versions, V), e.readExpr(f, f.versions), e.defaultExpr(f));
    out += `    ${f.name}: ${v},\n`;
  }
  if (e.flexibleStructs) out += '    unknownTaggedFields: undefined,\n';
  out += '  };\n';
  if (flex !== 'false') {
    let loop = '';
    loop += '    const count = r.readTaggedFieldCount();\n    for (let i = 0; i < count; i++) {\n';
    loop += '      const tag = r.readUnsignedVarint();\n      const end = r.readTaggedFieldEnd();\n      ';
    for (const f of tagged) {
      const c = cond(f.tagged, V);
      if (c === 'false') continue;
      const when = c === 'true' ? `tag === ${f.tag}` : `tag === ${f.tag} && ${c}`;
      loop += `if (${when}) {\n        m.${f.name} = ${e.readExpr(f, f.tagged as Range)};\n        r.expectAt(end);\n      } else `;
    }
    loop +=
      '{\n        (m.unknownTaggedFields ??= []).push({ tag, data: r.readRawBytes(end - r.pos) });\n      }\n    }\n';
    out += flex === 'true' ? `  {\n${loop}  }\n` : `  if (${flex}) {\n${loop}  }\n`;
  }
  out += '  return m;\n}\n\n';

  // sizeOf
  out += `${exp}function sizeOf${T}(m: ${T}, version: number): number {\n${wguard}  let n = 0;\n`;
  for (const f of regular) {
    const c = cond(f.versions, V);
    if (c === 'false') continue;
    const size = e.sizeExpr(f, f.versions as Range, `m.${f.name}`);
    out += c === 'true' ? `  n += ${size};\n` : `  if (${c}) n += ${size};\n`;
  }
  if (flex !== 'false') {
    let sec = '    let count = 0;\n';
    for (const f of tagged) {
      const c = cond(f.tagged, V);
      if (c === 'false') continue;
      const when = c === 'true' ? e.nonDefault(f, `m.${f.name}`) : `${c} && ${e.nonDefault(f, `m.${f.name}`)}`;
      sec += `    if (${when}) {\n      const size = ${e.sizeExpr(f, f.tagged as Range, `m.${f.name}`)};\n`;
      sec += `      n += ${sizeOfVarintLiteral(f.tag)} + sizeOfUnsignedVarint(size) + size;\n      count++;\n    }\n`;
    }
    sec += '    const unknown = m.unknownTaggedFields;\n';
    sec +=
      '    if (unknown !== undefined) {\n      n += sizeOfUnknownTaggedFields(unknown);\n      count += unknown.length;\n    }\n';
    sec += '    n += sizeOfUnsignedVarint(count);\n';
    out += flex === 'true' ? `  {\n${sec}  }\n` : `  if (${flex}) {\n${sec}  }\n`;
  }
  out += '  return n;\n}\n\n';

  // write
  out += `${exp}function write${T}(w: Writer, m: ${T}, version: number): void {\n${wguard}`;
  for (const f of s.fields) {
    const present = f.tagged !== null ? f.tagged : f.versions;
    const c = cond(present, V);
    const missing = f.ignorable
      ? ''
      : `throw new UnsupportedVersionError(\`${e.msg.name}.${f.name} is not in version \${version}\`);`;
    if (f.tagged !== null) {
      if (c !== 'true' && missing !== '') {
        const absent = c === 'false' ? '' : `!(${c}) && `;
        out += `  if (${absent}${e.nonDefault(f, `m.${f.name}`)}) ${missing}\n`;
      }
      continue;
    }
    if (c === 'false') {
      if (missing !== '') out += `  if (${e.nonDefault(f, `m.${f.name}`)}) ${missing}\n`;
      continue;
    }
    const stmt = e.writeStmt(f, present as Range, `m.${f.name}`, '    ');
    if (c === 'true') out += stmt.replace(/^ {4}/gm, '  ');
    else {
      out += `  if (${c}) {\n${stmt}  }`;
      out += missing === '' ? '\n' : ` else if (${e.nonDefault(f, `m.${f.name}`)}) {\n    ${missing}\n  }\n`;
    }
  }
  if (flex !== 'false') {
    let sec =
      '    const unknown = m.unknownTaggedFields;\n    let count = unknown === undefined ? 0 : unknown.length;\n';
    const live = tagged.filter((f) => cond(f.tagged, V) !== 'false');
    for (const f of live) {
      const c = cond(f.tagged, V);
      const nd = e.nonDefault(f, `m.${f.name}`);
      sec += `    if (${c === 'true' ? nd : `${c} && ${nd}`}) count++;\n`;
    }
    sec += '    w.writeUnsignedVarint(count);\n';
    sec += live.length > 0 ? '    let next = 0;\n' : '';
    for (const f of live) {
      const c = cond(f.tagged, V);
      const nd = e.nonDefault(f, `m.${f.name}`);
      sec += `    if (${c === 'true' ? nd : `${c} && ${nd}`}) {\n`;
      sec += `      if (unknown !== undefined) next = w.writeUnknownTaggedFields(unknown, next, ${f.tag});\n`;
      sec += `      w.writeUnsignedVarint(${f.tag});\n`;
      sec += `      w.writeUnsignedVarint(${e.sizeExpr(f, f.tagged as Range, `m.${f.name}`)});\n`;
      sec += e.writeStmt(f, f.tagged as Range, `m.${f.name}`, '      ');
      sec += '    }\n';
    }
    sec += `    if (unknown !== undefined) w.writeUnknownTaggedFields(unknown, ${live.length > 0 ? 'next' : '0'}, ${2 ** 32});\n`;
    out += flex === 'true' ? `  {\n${sec}  }\n` : `  if (${flex}) {\n${sec}  }\n`;
  }
  out += '}\n\n';

  // default
  out += `${exp}function default${T}(): ${T} {\n  return {\n`;
  for (const f of s.fields) out += `    ${f.name}: ${e.defaultExpr(f)},\n`;
  if (e.flexibleStructs) out += '    unknownTaggedFields: undefined,\n';
  out += '  };\n}\n';
  return out;
}

function sizeOfVarintLiteral(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function emitArrayHelpers(e: Emitter, stem: string, f: FieldModel): string {
  const isStruct = f.elem === 'struct';
  const elemT = isStruct ? stem : TS_TYPE[f.elem as string];
  let readElem: string;
  let writeElem: string;
  let sizeLoop: string;
  if (isStruct) {
    readElem = `read${stem}(r, version)`;
    writeElem = `write${stem}(w, a[i], version);`;
    sizeLoop = `  for (let i = 0; i < a.length; i++) n += sizeOf${stem}(a[i], version);\n`;
  } else if (f.elem === 'string') {
    readElem = '(compact ? r.readCompactString() : r.readString())';
    writeElem = 'if (compact) w.writeCompactString(a[i]);\n    else w.writeString(a[i]);';
    sizeLoop = '  for (let i = 0; i < a.length; i++) n += compact ? sizeOfCompactString(a[i]) : sizeOfString(a[i]);\n';
  } else if (f.elem === 'bytes' || f.elem === 'records') {
    throw new Error(`${e.msg.name}: arrays of ${f.elem} are not supported`);
  } else {
    readElem = `r.read${METHOD[f.elem as string]}()`;
    writeElem = `w.write${METHOD[f.elem as string]}(a[i]);`;
    sizeLoop = `  n += a.length * ${FIXED_SIZE[f.elem as string]};\n`;
  }
  // `version` is unused for primitive elements; keeping one signature keeps the call sites uniform.
  const vp = isStruct ? 'version' : '_version';
  let out = `\nfunction read${stem}Array(r: Reader, ${vp}: number, compact: boolean, nullable: boolean): ${elemT}[] | null {\n`;
  out += '  const count = compact ? r.readCompactArrayLength(nullable) : r.readArrayLength(nullable);\n';
  out += '  if (count < 0) return null;\n';
  out += `  const a: ${elemT}[] = [];\n  for (let i = 0; i < count; i++) a.push(${readElem});\n  return a;\n}\n\n`;
  out += `function sizeOf${stem}Array(a: readonly ${elemT}[] | null, ${vp}: number, compact: boolean): number {\n`;
  out += '  if (a === null) return compact ? 1 : 4;\n  let n = compact ? sizeOfCompactArrayLength(a) : 4;\n';
  out += `${sizeLoop}  return n;\n}\n\n`;
  out += `function write${stem}Array(\n  w: Writer,\n  a: readonly ${elemT}[] | null,\n  ${vp}: number,\n  compact: boolean,\n  nullable: boolean,\n): void {\n`;
  out += '  if (compact) w.writeCompactArrayLength(a, nullable);\n  else w.writeArrayLength(a, nullable);\n';
  out += '  if (a === null) return;\n';
  out += `  for (let i = 0; i < a.length; i++) {\n    ${writeElem}\n  }\n}\n`;
  return out;
}

function emitIsDefault(e: Emitter, s: StructModel): string {
  const checks = s.fields.map((f) => `!(${e.nonDefault(f, `m.${f.name}`)})`);
  if (e.flexibleStructs) checks.push('(m.unknownTaggedFields === undefined || m.unknownTaggedFields.length === 0)');
  return `\nfunction isDefault${s.tsName}(m: ${s.tsName}): boolean {\n  return (\n    ${checks.join(' &&\n    ')}\n  );\n}\n`;
}

export { MAX_VERSION };
