// 100 groups x 3 consumers churning (random joins, leaves and crashes over simulated time): every group settles
// (Stable or Empty) once the churn stops, never stuck in a rebalance, and members + pending members stay bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Harness, SimConsumer } from './harness.ts';

// A small deterministic PRNG (mulberry32) so a failure replays.
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('100 groups of 3 churning consumers all settle, with members and pending members bounded', () => {
  const random = rng(42);
  const h = new Harness({ config: { groupInitialRebalanceDelayMs: 3_000 } });
  const consumers: SimConsumer[] = [];
  for (let g = 0; g < 100; g++) {
    for (let i = 0; i < 3; i++)
      consumers.push(
        new SimConsumer(
          h,
          `group-${g}`,
          `g${g}-c${i}`,
          3 + ((g + i) % 7),
          i === 2 && g % 4 === 0 ? `g${g}-static` : null,
        ),
      );
  }
  let maxMembers = 0;
  // 10 simulated minutes of churn, 500 ms steps.
  for (let step = 0; step < 1_200; step++) {
    for (const c of consumers) {
      const r = random();
      if ((c.phase === 'idle' || c.phase === 'crashed') && r < 0.02) c.join();
      else if (c.phase === 'stable' && r < 0.002) c.crash();
      else if (c.phase === 'stable' && r < 0.004) c.leave();
    }
    h.advance(500);
    for (const c of consumers) c.step();
    const s = h.coordinator.stats();
    maxMembers = Math.max(maxMembers, s.members + s.pendingMembers);
  }
  // Quiet period: everyone alive stays, crashed ones time out.
  for (const c of consumers) if (c.phase === 'idle' || c.phase === 'crashed') c.join();
  for (let step = 0; step < 240; step++) {
    h.advance(500);
    for (const c of consumers) c.step();
  }
  for (let g = 0; g < 100; g++) {
    const view = h.coordinator.describeGroup(`group-${g}`);
    assert.ok(view !== undefined && (view.state === 'Stable' || view.state === 'Empty'), `group-${g}: ${view?.state}`);
    assert.equal(view?.members.length, 3, `group-${g} has its 3 live consumers`);
  }
  assert.ok(consumers.every((c) => c.phase === 'stable'));
  // Each group holds at most 3 live members plus dead ones awaiting their session/join timeout and a few pending ids.
  assert.ok(maxMembers <= 100 * 9, `members + pending peaked at ${maxMembers}`);
  const s = h.coordinator.stats();
  assert.equal(s.members, 300);
  assert.equal(s.pendingMembers, 0);
});
