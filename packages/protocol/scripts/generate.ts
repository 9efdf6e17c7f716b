// Generates packages/protocol/src/generated/ from Kafka's message JSON schemas:
//   node packages/protocol/scripts/generate.ts [--out DIR]
// Input: $KAFKA_PROTOCOL_DIR, else <repo>/../shared/kafka-protocol (messages/*.json and coordinator/*.json).
// Output: one module per JSON file (kebab-case), api-messages.ts, schemas.ts, index.ts; stale modules removed.
// Deterministic: files are emitted in sorted order, then formatted by biome in a staging directory with the
// repository's formatter settings (src/generated is excluded from the repository's own biome run).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitMessage } from './generator/emit-message.ts';
import { emitApiMessages, emitIndex, emitSchemas } from './generator/emit-tables.ts';
import { loadMessages } from './generator/schema.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');

export function defaultProtocolDir(): string {
  return process.env.KAFKA_PROTOCOL_DIR ?? resolve(repo, '../shared/kafka-protocol');
}

/** Generates every module into outDir (created if needed); returns the file names written. */
export function generate(protocolDir: string, outDir: string): string[] {
  const messages = loadMessages(protocolDir);
  const files = new Map<string, string>();
  const interfaceNames = new Set<string>();
  for (const m of messages) {
    for (const s of m.structs) {
      if (interfaceNames.has(s.tsName)) throw new Error(`interface name ${s.tsName} is not unique`);
      interfaceNames.add(s.tsName);
    }
    files.set(`${m.moduleName}.ts`, emitMessage(m));
  }
  files.set('api-messages.ts', emitApiMessages(messages));
  files.set('schemas.ts', emitSchemas(messages));
  files.set('index.ts', emitIndex(messages));

  const staging = mkdtempSync(join(tmpdir(), 'sluice-generate-'));
  try {
    const rootConfig = JSON.parse(readFileSync(join(repo, 'biome.json'), 'utf8'));
    const config = {
      formatter: rootConfig.formatter,
      javascript: rootConfig.javascript,
      assist: { enabled: true, actions: { source: { organizeImports: 'on' } } },
    };
    writeFileSync(join(staging, 'biome.json'), JSON.stringify(config));
    for (const [name, text] of files) writeFileSync(join(staging, name), text);
    const biome = join(repo, 'node_modules/.bin/biome');
    execFileSync(biome, ['check', '--write', '--linter-enabled=false', '.'], { cwd: staging, stdio: 'pipe' });
    mkdirSync(outDir, { recursive: true });
    for (const old of readdirSync(outDir)) {
      if (old.endsWith('.ts') && !files.has(old)) unlinkSync(join(outDir, old));
    }
    for (const name of [...files.keys()].sort()) {
      const text = readFileSync(join(staging, name), 'utf8');
      const target = join(outDir, name);
      if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return [...files.keys()].sort();
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIdx = process.argv.indexOf('--out');
  const outDir = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : resolve(here, '../src/generated');
  const dir = defaultProtocolDir();
  if (!existsSync(join(dir, 'messages'))) {
    console.error(`no Kafka protocol schemas at ${dir} (set KAFKA_PROTOCOL_DIR)`);
    process.exit(1);
  }
  const written = generate(dir, outDir);
  console.log(`generated ${written.length} files into ${outDir}`);
}
