// librdkafka (kcat 1.7 / librdkafka 2.0.2) against a real `sluice broker` process: Metadata (-L), produce keyed
// lines with headers (-P -K: -H), consume from the beginning (-C -e), offsets by timestamp (-Q). kcat comes from
// Debian (scripts/apt-packages.txt).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { skipUnlessInstalled } from '@sluice/testkit';
import { type BrokerProcess, startBroker } from './support/broker-process.ts';

const hasKcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).status === 0;

function kcat(args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('kcat', args, { input, encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('kcat against sluice broker', { skip: skipUnlessInstalled(hasKcat, 'kcat'), timeout: 90_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ set: { 'num.partitions': '1' } });
  });
  after(async () => {
    await broker?.dispose();
  });

  test('lists the broker and, after a produce auto-creates it, the topic (-L)', () => {
    const p = kcat(['-b', broker.bootstrap, '-P', '-t', 'listed'], 'x\n');
    assert.equal(p.status, 0, p.stderr);
    const r = kcat(['-b', broker.bootstrap, '-L']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`broker 1 at 127\\.0\\.0\\.1:${broker.port}`));
    assert.match(r.stdout, /topic "listed" with 1 partitions/);
  });

  test('consumes from the beginning exactly the keyed lines and headers produced, in order', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `key-${i}:value ${i} ${'x'.repeat(i)}`);
    const p = kcat(
      ['-b', broker.bootstrap, '-P', '-t', 'keyed', '-K:', '-H', 'h1=one', '-H', 'h2=two'],
      `${lines.join('\n')}\n`,
    );
    assert.equal(p.status, 0, p.stderr);
    const c = kcat(['-b', broker.bootstrap, '-C', '-t', 'keyed', '-o', 'beginning', '-e', '-f', '%o|%k|%s|%h\n']);
    assert.equal(c.status, 0, c.stderr);
    const got = c.stdout.trim().split('\n');
    assert.deepEqual(
      got,
      lines.map((l, i) => {
        const [k, v] = [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)];
        return `${i}|${k}|${v}|h1=one,h2=two`;
      }),
    );
  });

  test('compressed produce (gzip, snappy, lz4, zstd) reads back whole', () => {
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      const topic = `codec-${codec}`;
      const values = Array.from({ length: 20 }, (_, i) => `${codec} message ${i}`);
      const p = kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-z', codec], `${values.join('\n')}\n`);
      assert.equal(p.status, 0, p.stderr);
      const c = kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-e', '-f', '%s\n']);
      assert.equal(c.status, 0, c.stderr);
      assert.deepEqual(c.stdout.trim().split('\n'), values, codec);
    }
  });

  test('old protocol versions (no ApiVersions; Produce/Fetch with magic 0 and 1 message sets) round-trip', () => {
    for (const fallback of ['0.9.0', '0.10.0']) {
      const topic = `legacy-${fallback.replaceAll('.', '-')}`;
      const legacy = ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`];
      const p = kcat(['-b', broker.bootstrap, ...legacy, '-P', '-t', topic, '-K:'], 'k1:one\nk2:two\n');
      assert.equal(p.status, 0, p.stderr);
      const gz = kcat(['-b', broker.bootstrap, ...legacy, '-P', '-t', topic, '-z', 'gzip'], 'three\n');
      assert.equal(gz.status, 0, gz.stderr);
      const c = kcat(['-b', broker.bootstrap, ...legacy, '-C', '-t', topic, '-e', '-f', '%o|%k|%s\n']);
      assert.equal(c.status, 0, c.stderr);
      assert.deepEqual(c.stdout.trim().split('\n'), ['0|k1|one', '1|k2|two', '2||three'], fallback);
    }
  });

  test('-Q finds the first offset at or after a timestamp', () => {
    const first = kcat(['-b', broker.bootstrap, '-P', '-t', 'timed'], 'a\nb\n');
    assert.equal(first.status, 0, first.stderr);
    const between = Date.now() + 1;
    spawnSync('sleep', ['0.05']);
    const second = kcat(['-b', broker.bootstrap, '-P', '-t', 'timed'], 'c\n');
    assert.equal(second.status, 0, second.stderr);
    const q = kcat(['-b', broker.bootstrap, '-Q', '-t', `timed:0:${between}`]);
    assert.equal(q.status, 0, q.stderr);
    assert.match(q.stdout, /timed \[0\] offset 2/);
    const early = kcat(['-b', broker.bootstrap, '-Q', '-t', 'timed:0:0']);
    assert.match(early.stdout, /timed \[0\] offset 0/);
    const late = kcat(['-b', broker.bootstrap, '-Q', '-t', `timed:0:${Date.now() + 3_600_000}`]);
    assert.match(late.stdout, /timed \[0\] offset -1/);
  });
});
