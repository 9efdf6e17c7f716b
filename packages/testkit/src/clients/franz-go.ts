// Runs franz-go's scenario (tools/go/main.go, built by scripts/setup into tools/go/bin/franz-client) against any
// bootstrap address. Codecs: none, gzip, snappy, lz4, zstd. maxVersion caps request versions at a Kafka release
// ("3.9": the versions Sluice's protocol schemas cover); without it franz-go uses the newest the broker offers.
import { runProcess } from '../child-process.ts';
import { franzClientBin } from '../paths.ts';
import { ALL_CODECS, parseScenarioOutput, type ScenarioOptions, type ScenarioResult } from '../scenario.ts';

export const FRANZ_GO_CODECS = ALL_CODECS;

export interface FranzGoScenarioOptions extends ScenarioOptions {
  maxVersion?: string;
}

export async function runFranzGoScenario(opts: FranzGoScenarioOptions): Promise<ScenarioResult> {
  const args = [
    '-bootstrap',
    opts.bootstrap,
    '-topic',
    opts.topic,
    '-group',
    opts.group ?? `${opts.topic}-group`,
    '-codecs',
    (opts.codecs ?? FRANZ_GO_CODECS).join(','),
    '-count',
    String(opts.count ?? 3),
  ];
  if (opts.skipAdmin) args.push('-skip-admin');
  if (opts.assign) args.push('-assign');
  if (opts.configs) args.push('-configs');
  if (opts.idempotent === false) args.push('-idempotent=false');
  if (opts.maxVersion) args.push('-max-version', opts.maxVersion);
  const r = await runProcess(franzClientBin, args, { timeoutMs: opts.timeoutMs ?? 120_000 });
  return parseScenarioOutput('franz-go', r.stdout, r.stderr, r.timedOut ? 'timed out' : String(r.code ?? r.signal));
}
