// A/B of the broker's fetch path: a git commit (`git archive`, default HEAD) against this work tree, interleaved
// rep by rep in one run (the machine is shared: only same-run ratios hold). Per system and rep: a fresh broker
// (sluice.ack.before.fsync=true), MESSAGES x 1 KiB produced to 16 partitions, then the load generator's fetch
// ceiling (identical pipelined Fetches from offset 0, 4 connections, 8 in flight, 1 MiB per partition) for
// CEILING_MS; broker CPU (utime+stime of the process) is measured around the fetch step only. One JSON line per step.
//   REPS=2 MESSAGES=200000 CEILING_MS=5000 [REV=HEAD] node benches/load/fetch-ab.ts
import { loadavg } from 'node:os';
import { cpuSeconds, startPeer } from '../peers/peers.ts';
import { snapshotSluice } from '../peers/sluice-snapshot.ts';
import { runGenerator } from './run-generator.ts';

const reps = Number(process.env.REPS ?? 2);
const messages = Number(process.env.MESSAGES ?? 200000);
const ceilingMs = Number(process.env.CEILING_MS ?? 5000);
const snap = snapshotSluice(process.env.REV ?? 'HEAD');
const systems = [
  { label: `before (${snap.commit})`, root: snap.root },
  { label: 'after (work tree)', root: new URL('../../', import.meta.url).pathname },
];
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const s of systems) {
      const peer = await startPeer('sluice', { sluiceRoot: s.root, config: { 'sluice.ack.before.fsync': 'true' } });
      try {
        const topic = `ab-${rep}`;
        const common = [
          '--bootstrap',
          peer.bootstrap,
          '--topic',
          topic,
          '--partitions',
          '16',
          '--message-size',
          '1024',
        ];
        await runGenerator(
          [
            ...common,
            '--create',
            '--prebuilt',
            '--messages',
            `${messages}`,
            '--acks',
            '1',
            '--connections',
            '4',
            '--max-in-flight',
            '8',
          ],
          120_000,
        );
        const cpu0 = cpuSeconds(peer.pid);
        const load = loadavg()[0];
        const r = await runGenerator(
          [
            ...common,
            '--prebuilt',
            '--messages',
            '1',
            '--acks',
            '1',
            '--connections',
            '1',
            '--max-in-flight',
            '8',
            '--fetch-ceiling-ms',
            `${ceilingMs}`,
            '--fetch-connections',
            '4',
          ],
          120_000,
        );
        const cpu = cpuSeconds(peer.pid) - cpu0;
        const c = r.fetchCeiling!;
        const mb = c.mbPerSec * c.seconds;
        console.log(
          JSON.stringify({
            system: s.label,
            rep,
            fetchMBps: +c.mbPerSec.toFixed(1),
            fetches: c.fetches,
            brokerCpuS: +cpu.toFixed(2),
            cpuMsPerMB: +((cpu * 1000) / mb).toFixed(3),
            load1: load,
          }),
        );
      } finally {
        await peer.stop();
      }
    }
  }
} finally {
  snap.remove();
}
