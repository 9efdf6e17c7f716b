// Runs librdkafka's scenario through kcat (Debian `kcat` 1.7.1 with librdkafka 2.0.2; scripts/apt-packages.txt)
// against any bootstrap address. Codecs: none, gzip, snappy, lz4, zstd. kcat has no admin API, so the topic is
// auto-created by the first produce's Metadata request (the broker needs auto.create.topics.enable and 3 default
// partitions, as startKafka sets) and never deleted; kcat cannot read committed offsets, so `committed` is -1.
// Steps: one `kcat -P` per codec (idempotent: InitProducerId), `kcat -L` (Metadata), `kcat -G` (consumer group:
// FindCoordinator, JoinGroup, SyncGroup, Fetch, OffsetCommit on close), `kcat -Q` twice (ListOffsets -2 and -1).
// librdkafka partitions keys with consistent_random (CRC32), not murmur2, so partitions differ from the others.
import { runProcess } from '../child-process.ts';
import {
  ALL_CODECS,
  type ScenarioOptions,
  type ScenarioRecord,
  type ScenarioResult,
  scenarioValue,
} from '../scenario.ts';

export const KCAT_CODECS = ALL_CODECS;
export const kcatBin = process.env.KCAT ?? 'kcat';

async function kcat(args: string[], deadline: number, input?: string): Promise<string> {
  const timeoutMs = Math.max(1_000, deadline - Date.now());
  const r = await runProcess(kcatBin, args, { timeoutMs, input });
  if (r.code !== 0)
    throw new Error(`kcat ${args.join(' ')} failed (${r.timedOut ? 'timed out' : r.code}): ${r.stderr}`);
  return r.stdout;
}

async function kcatVersion(): Promise<string> {
  const r = await runProcess(kcatBin, ['-V'], { timeoutMs: 10_000 });
  const m = /Version (\S+).*librdkafka (\S+)/.exec(r.stdout + r.stderr);
  return m ? `kcat ${m[1]} librdkafka ${m[2]}` : 'unknown';
}

export async function runKcatScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const codecs = opts.codecs ?? KCAT_CODECS;
  const count = opts.count ?? 3;
  const group = opts.group ?? `${opts.topic}-group`;
  const common = ['-b', opts.bootstrap, '-X', 'client.id=sluice-kcat-scenario'];
  const result: ScenarioResult = {
    client: 'kcat',
    clientVersion: await kcatVersion(),
    topic: opts.topic,
    produced: [],
    consumed: [],
    offsets: {},
    deleted: false,
  };

  for (const codec of codecs) {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(`${codec}-${i}:${scenarioValue('kcat', codec, i)}\n`);
    await kcat(
      [
        ...common,
        '-P',
        '-t',
        opts.topic,
        '-K',
        ':',
        '-H',
        `codec=${codec}`,
        '-H',
        'client=kcat',
        '-X',
        `compression.codec=${codec}`,
        '-X',
        'enable.idempotence=true',
        '-X',
        'linger.ms=20',
      ],
      deadline,
      lines.join(''),
    );
  }

  const metadata = JSON.parse(await kcat([...common, '-L', '-t', opts.topic, '-J'], deadline)) as {
    topics: Array<{ partitions: Array<{ partition: number }> }>;
  };
  const partitions = (metadata.topics[0]?.partitions ?? []).map((p) => p.partition).sort((a, b) => a - b);

  const total = codecs.length * count;
  const consumed = await kcat(
    [...common, '-G', group, '-X', 'auto.offset.reset=earliest', '-c', String(total), '-J', opts.topic],
    deadline,
  );
  for (const line of consumed.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as {
      partition: number;
      offset: number;
      key: string | null;
      payload: string | null;
      headers?: string[];
    };
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < (m.headers?.length ?? 0); i += 2)
      headers.push([m.headers?.[i] ?? '', m.headers?.[i + 1] ?? '']);
    const record: ScenarioRecord = { partition: m.partition, offset: m.offset, key: m.key, value: m.payload, headers };
    result.consumed.push(record);
    const codec = record.key?.split('-')[0] ?? '';
    result.produced.push({ codec, key: record.key ?? '', partition: record.partition, offset: record.offset });
  }

  const listOffsets = async (timestamp: number) => {
    const args = [...common, '-Q'];
    for (const p of partitions) args.push('-t', `${opts.topic}:${p}:${timestamp}`);
    const out = await kcat(args, deadline);
    const byPartition = new Map<number, number>();
    for (const m of out.matchAll(/\[(\d+)\] offset (-?\d+)/g)) byPartition.set(Number(m[1]), Number(m[2]));
    return byPartition;
  };
  const earliest = await listOffsets(-2);
  const latest = await listOffsets(-1);
  for (const p of partitions) {
    result.offsets[String(p)] = { earliest: earliest.get(p) ?? -1, latest: latest.get(p) ?? -1, committed: -1 };
  }
  return result;
}
