// Java .properties parsing with java.util.Properties.load's rules:
// - lines end at \n, \r or \r\n; a line whose first non-blank (space, \t, \f) char is # or ! is a comment;
// - a line ending in an odd number of backslashes continues on the next line, whose leading blanks are dropped
//   (a comment cannot be continued, and a continued line is never a comment);
// - the key ends at the first unescaped '=', ':' or blank; blanks, then one '=' or ':', then blanks are skipped;
//   the value is the rest (trailing blanks kept);
// - escapes: \t \n \r \f, \uXXXX, and \c -> c for any other c; a malformed \u is an error;
// - a later duplicate key wins.
// Java reads byte streams as ISO-8859-1; this reads text, so a UTF-8 file means what its author meant.
import { readFileSync } from 'node:fs';

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the logical line starts. */
  readonly line: number;
}

export type PropertiesResult = { ok: true; entries: PropertyEntry[] } | { ok: false; error: string };

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\f';

/** Splits text into logical lines (continuations joined, comments and blank lines dropped). */
function logicalLines(text: string): Array<{ raw: string; line: number }> {
  const natural = text.split(/\r\n|\r|\n/);
  const out: Array<{ raw: string; line: number }> = [];
  let current: string | null = null;
  let startLine = 0;
  for (let i = 0; i < natural.length; i++) {
    let s = natural[i];
    let j = 0;
    while (j < s.length && isBlank(s[j])) j++;
    s = s.slice(j);
    if (current === null) {
      if (s === '' || s[0] === '#' || s[0] === '!') continue;
      startLine = i + 1;
      current = '';
    }
    let backslashes = 0;
    for (let k = s.length - 1; k >= 0 && s[k] === '\\'; k--) backslashes++;
    if (backslashes % 2 === 1) {
      current += s.slice(0, -1);
      if (i === natural.length - 1) {
        out.push({ raw: current, line: startLine });
        current = null;
      }
      continue;
    }
    current += s;
    out.push({ raw: current, line: startLine });
    current = null;
  }
  return out;
}

function unescapeJava(s: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    if (n === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`line ${line}: Malformed \\uxxxx encoding.`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += n === 't' ? '\t' : n === 'n' ? '\n' : n === 'r' ? '\r' : n === 'f' ? '\f' : n;
  }
  return out;
}

export function parseProperties(text: string): PropertiesResult {
  const byKey = new Map<string, PropertyEntry>();
  try {
    for (const { raw, line } of logicalLines(text)) {
      let i = 0;
      let keyEnd = -1;
      for (; i < raw.length; i++) {
        const c = raw[i];
        if (c === '\\') {
          i++;
          continue;
        }
        if (c === '=' || c === ':' || isBlank(c)) {
          keyEnd = i;
          break;
        }
      }
      if (keyEnd === -1) keyEnd = raw.length;
      let v = keyEnd;
      while (v < raw.length && isBlank(raw[v])) v++;
      if (v < raw.length && (raw[v] === '=' || raw[v] === ':')) {
        v++;
        while (v < raw.length && isBlank(raw[v])) v++;
      }
      const key = unescapeJava(raw.slice(0, keyEnd), line);
      byKey.delete(key);
      byKey.set(key, { key, value: unescapeJava(raw.slice(v), line), line });
    }
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  return { ok: true, entries: [...byKey.values()] };
}

/** Reads and parses a properties file; an unreadable file is an error value naming the path. */
export function readPropertiesFile(path: string): PropertiesResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, error: `cannot read ${path}: ${(e as Error).message}` };
  }
  const parsed = parseProperties(text);
  return parsed.ok ? parsed : { ok: false, error: `${path}: ${parsed.error}` };
}
