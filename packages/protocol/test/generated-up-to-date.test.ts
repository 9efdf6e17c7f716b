// src/generated/ is exactly what scripts/generate.ts makes from Kafka's JSON schemas (so nobody edits it by hand
// and nobody forgets to regenerate). Skipped when the schemas (../shared/kafka-protocol) are not checked out.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { defaultProtocolDir, generate } from '../scripts/generate.ts';

const protocolDir = defaultProtocolDir();
const generatedDir = resolve(import.meta.dirname, '../src/generated');

test('src/generated matches a fresh run of the generator', {
  skip: existsSync(join(protocolDir, 'messages')) ? false : `no Kafka schemas at ${protocolDir}`,
}, () => {
  const out = mkdtempSync(join(tmpdir(), 'sluice-generated-'));
  try {
    const fresh = generate(protocolDir, out);
    const committed = readdirSync(generatedDir).sort();
    assert.deepEqual(committed, fresh, 'file list differs: run `pnpm run generate`');
    for (const name of fresh) {
      const same = readFileSync(join(out, name), 'utf8') === readFileSync(join(generatedDir, name), 'utf8');
      assert.ok(same, `src/generated/${name} is stale: run \`pnpm run generate\``);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
