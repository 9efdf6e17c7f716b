// Runs the Java client's scenario (tools/java/src/main/java/sluice/tools/ClientScenario.java, kafka-clients from
// Maven Central, built by scripts/setup) against any bootstrap address. Codecs: none, gzip, snappy, lz4, zstd.
// client 'current' is kafka-clients of the reference broker's version (4.4.0), 'legacy' is 3.9.2.
import { runProcess } from '../child-process.ts';
import { javaBin, javaClientClasspath } from '../paths.ts';
import { ALL_CODECS, parseScenarioOutput, type ScenarioOptions, type ScenarioResult } from '../scenario.ts';

export const JAVA_CODECS = ALL_CODECS;

export interface JavaScenarioOptions extends ScenarioOptions {
  /** Which kafka-clients jar; default 'current'. */
  client?: 'current' | 'legacy';
}

export async function runJavaScenario(opts: JavaScenarioOptions): Promise<ScenarioResult> {
  const args = [
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    javaClientClasspath(opts.client ?? 'current'),
    'sluice.tools.ClientScenario',
    '--bootstrap',
    opts.bootstrap,
    '--topic',
    opts.topic,
    '--group',
    opts.group ?? `${opts.topic}-group`,
    '--codecs',
    (opts.codecs ?? JAVA_CODECS).join(','),
    '--count',
    String(opts.count ?? 3),
  ];
  if (opts.skipAdmin) args.push('--skip-admin');
  if (opts.assign) args.push('--assign');
  if (opts.configs) args.push('--configs');
  if (opts.idempotent === false) args.push('--idempotence', 'false');
  const r = await runProcess(javaBin, args, { timeoutMs: opts.timeoutMs ?? 120_000 });
  return parseScenarioOutput('java', r.stdout, r.stderr, r.timedOut ? 'timed out' : String(r.code ?? r.signal));
}
