// Runs confluent-kafka's scenario (PyPI confluent-kafka, librdkafka inside; tools/python/client_scenario.py in the
// virtualenv scripts/setup creates at tools/python/.venv) against any bootstrap address. Codecs: none, gzip, snappy,
// lz4, zstd. librdkafka sends its own versions (ApiVersions v3, Produce <= 7 or newer per release, Fetch <= 11+).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../child-process.ts';
import { repoRoot } from '../paths.ts';
import { ALL_CODECS, parseScenarioOutput, type ScenarioOptions, type ScenarioResult } from '../scenario.ts';

export const CONFLUENT_PYTHON_CODECS = ALL_CODECS;

export const pythonBin = join(repoRoot, 'tools', 'python', '.venv', 'bin', 'python');
const script = join(repoRoot, 'tools', 'python', 'client_scenario.py');

/** True when scripts/setup has installed tools/python/requirements.txt into the virtualenv. */
export function confluentPythonAvailable(): boolean {
  return existsSync(pythonBin);
}

export async function runConfluentPythonScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const args = [
    script,
    '--bootstrap',
    opts.bootstrap,
    '--topic',
    opts.topic,
    '--group',
    opts.group ?? `${opts.topic}-group`,
    '--codecs',
    (opts.codecs ?? CONFLUENT_PYTHON_CODECS).join(','),
    '--count',
    String(opts.count ?? 3),
  ];
  if (opts.skipAdmin) args.push('--skip-admin');
  if (opts.assign) args.push('--assign');
  if (opts.configs) args.push('--configs');
  if (opts.idempotent === false) args.push('--no-idempotence');
  const r = await runProcess(pythonBin, args, { timeoutMs: opts.timeoutMs ?? 120_000 });
  return parseScenarioOutput(
    'confluent-python',
    r.stdout,
    r.stderr,
    r.timedOut ? 'timed out' : String(r.code ?? r.signal),
  );
}
