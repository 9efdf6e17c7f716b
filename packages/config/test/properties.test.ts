import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProperties } from '../src/properties.ts';

function parse(text: string): Record<string, string> {
  const r = parseProperties(text);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return Object.fromEntries(r.entries.map((e) => [e.key, e.value]));
}

test('accepts =, : and whitespace as separators, keeping trailing blanks of values', () => {
  assert.deepEqual(parse('a=1\nb: 2\nc 3\nd\t=\t4  \n  e   :   5'), { a: '1', b: '2', c: '3', d: '4  ', e: '5' });
});

test('skips # and ! comments and blank lines, but not # inside a value', () => {
  assert.deepEqual(parse('# c\n  ! c2\n\n   \nurl=http://h/#frag\n'), { url: 'http://h/#frag' });
});

test('a key alone has the empty value, and "a==b" keeps the second = in the value', () => {
  assert.deepEqual(parse('lonely\nx==y\nz:=w'), { lonely: '', x: '=y', z: '=w' });
});

test("joins continuation lines and drops the next line's leading blanks", () => {
  assert.deepEqual(parse('list=a,\\\n    b,\\\n\tc\nnext=1'), { list: 'a,b,c', next: '1' });
});

test('an even number of trailing backslashes is an escaped backslash, not a continuation', () => {
  assert.deepEqual(parse('p=C:\\\\\nq=2'), { p: 'C:\\', q: '2' });
});

test('a continued line is never a comment, and a comment cannot be continued', () => {
  assert.deepEqual(parse('a=x\\\n#y\n# z\\\nb=1'), { a: 'x#y', b: '1' });
});

test('decodes \\t \\n \\uXXXX and drops the backslash of other escapes, in keys too', () => {
  assert.deepEqual(parse('k\\ ey\\:x=v\\tw\\nx\\u00e9\\q'), { 'k ey:x': 'v\tw\nx\u00e9q' });
});

test('handles \\r\\n and lone \\r line ends; the last duplicate wins', () => {
  assert.deepEqual(parse('a=1\r\nb=2\rc=3\na=4'), { a: '4', b: '2', c: '3' });
});

test('a malformed \\u escape is an error naming the line', () => {
  const r = parseProperties('ok=1\nbad=\\u12x4');
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error, /line 2: Malformed \\uxxxx encoding/);
});

test('a trailing backslash on the last line ends the value', () => {
  assert.deepEqual(parse('a=b\\'), { a: 'b' });
});
