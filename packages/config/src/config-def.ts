// Config definition model, after Kafka's ConfigDef: name, type, default (as Kafka prints it), validator, importance,
// one-line documentation and, for broker keys, the dynamic update mode. parseConfigValue() follows
// ConfigDef.parseType + Validator.ensureValid and returns Kafka's message on failure:
//   "Invalid value <v> for configuration <name>: <reason>"
// Longs are JS numbers: exact up to 2^53; Long.MAX_VALUE (9223372036854775807, Kafka's "infinite") keeps its
// canonical text so DescribeConfigs prints it exactly.

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';
export type Importance = 'high' | 'medium' | 'low';
/** Kafka's "Dynamic Update Mode" column of the Broker Configs docs. */
export type DynamicUpdateMode = 'read-only' | 'per-broker' | 'cluster-wide';

export type Validator =
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number }
  /** Kafka's ValidString.in: exact match. */
  | { readonly kind: 'one-of'; readonly values: readonly string[] }
  /** Kafka's ValidList.in: every element must be one of. */
  | { readonly kind: 'list-of'; readonly values: readonly string[] }
  /** gzip's level validator: [min..max] or exactly `or`. */
  | { readonly kind: 'range-or'; readonly min: number; readonly max: number; readonly or: number };

export interface ConfigDef {
  readonly type: ConfigType;
  /** The default as Kafka prints it (ConfigDef.convertToString), or null for "no default". */
  readonly default: string | null;
  readonly validator?: Validator;
  readonly importance: Importance;
  readonly documentation: string;
  /** Broker keys only; topic configs are always alterable per topic. */
  readonly dynamic?: DynamicUpdateMode;
}

/** The value type a ConfigType parses to. */
export type ValueOfType<T extends ConfigType> = T extends 'boolean'
  ? boolean
  : T extends 'int' | 'short' | 'long' | 'double'
    ? number
    : T extends 'list'
      ? readonly string[]
      : string;

/** The parsed value of a definition; null when the definition has no default. */
export type ValueOfDef<D extends ConfigDef> = ValueOfType<D['type']> | (D['default'] extends null ? null : never);

export type ConfigValue = boolean | number | string | readonly string[] | null;

export type ParseResult = { ok: true; value: ConfigValue; text: string | null } | { ok: false; error: string };

// DescribeConfigs ConfigType ids (DescribeConfigsResponse.ConfigType, KIP-569).
export const CONFIG_TYPE_IDS: Readonly<Record<ConfigType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export const LONG_MAX_TEXT = '9223372036854775807';
export const INT_MAX_TEXT = '2147483647';
const INT_RE = /^[+-]?\d+$/;
const INT_BOUNDS: Record<'int' | 'short' | 'long', [bigint, bigint]> = {
  short: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  long: [-9223372036854775808n, 9223372036854775807n],
};
// Java's Double.parseDouble, minus hex floats: decimal, exponent, NaN, Infinity, optional d/f suffix.
const DOUBLE_RE = /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[dDfF]?)$/;

export function invalid(name: string, value: string, reason: string): string {
  return `Invalid value ${value} for configuration ${name}: ${reason}`;
}

/** Java's Double.toString for the values configs use (0.5 -> "0.5", 1 -> "1.0", 1.7976931348623157E308). */
export function javaDoubleText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return `${n}.0`;
  const s = String(n);
  if (s.includes('e')) {
    const [m, e] = s.split('e');
    return `${m.includes('.') ? m : `${m}.0`}E${e.replace('+', '')}`;
  }
  return s;
}

/** Kafka's "Not a number of type INT" names the type in upper case. */
const typeUpper = (t: ConfigType) => t.toUpperCase();

/** Parses `raw` (a properties/AlterConfigs string) per the definition and validates it. */
export function parseConfigValue(name: string, def: ConfigDef, raw: string | null): ParseResult {
  if (raw === null) return { ok: true, value: null, text: null };
  const trimmed = raw.trim();
  let value: ConfigValue;
  let text: string;
  switch (def.type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower !== 'true' && lower !== 'false')
        return { ok: false, error: invalid(name, raw, 'Expected value to be either true or false') };
      value = lower === 'true';
      text = lower;
      break;
    }
    case 'int':
    case 'short':
    case 'long': {
      if (!INT_RE.test(trimmed))
        return { ok: false, error: invalid(name, raw, `Not a number of type ${typeUpper(def.type)}`) };
      const big = BigInt(trimmed);
      const [lo, hi] = INT_BOUNDS[def.type];
      if (big < lo || big > hi)
        return { ok: false, error: invalid(name, raw, `Not a number of type ${typeUpper(def.type)}`) };
      value = Number(big);
      text = big.toString();
      break;
    }
    case 'double': {
      if (!DOUBLE_RE.test(trimmed)) return { ok: false, error: invalid(name, raw, `Not a number of type DOUBLE`) };
      value = Number(trimmed.replace(/[dDfF]$/, ''));
      text = javaDoubleText(value);
      break;
    }
    case 'list': {
      // ConfigDef splits on /\s*,\s*/ and keeps empty entries ("a,,b" -> ["a","","b"]); "" is the empty list.
      value = trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
      text = value.join(',');
      break;
    }
    default:
      value = trimmed;
      text = trimmed;
  }
  const error = validate(name, def.validator, value);
  return error ? { ok: false, error } : { ok: true, value, text };
}

function validate(name: string, v: Validator | undefined, value: ConfigValue): string | null {
  if (!v || value === null) return null;
  switch (v.kind) {
    case 'range': {
      const n = value as number;
      if (v.min !== undefined && n < v.min) return invalid(name, String(value), `Value must be at least ${v.min}`);
      if (v.max !== undefined && n > v.max) return invalid(name, String(value), `Value must be no more than ${v.max}`);
      return null;
    }
    case 'range-or': {
      const n = value as number;
      if (n > v.max || (n < v.min && n !== v.or))
        return invalid(name, String(value), `Value must be between ${v.min} and ${v.max} or equal to ${v.or}`);
      return null;
    }
    case 'one-of':
      return v.values.includes(value as string)
        ? null
        : invalid(name, String(value), `String must be one of: ${v.values.join(', ')}`);
    case 'list-of':
      for (const item of value as readonly string[])
        if (!v.values.includes(item)) return invalid(name, item, `String must be one of: ${v.values.join(', ')}`);
      return null;
  }
}

/** Canonical text of a default (null stays null), as DescribeConfigs DEFAULT_CONFIG prints it. */
export function defaultText(name: string, def: ConfigDef): string | null {
  const parsed = parseConfigValue(name, def, def.default);
  if (!parsed.ok) throw new Error(`bad default for ${name}: ${parsed.error}`);
  return parsed.text;
}

/** Kafka's KafkaConfig.maybeSensitive: passwords (and unknown types) are never shown. */
export function isSensitive(def: ConfigDef | undefined): boolean {
  return def === undefined || def.type === 'password';
}
