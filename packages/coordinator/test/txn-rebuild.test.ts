// Rebuild from the log: after ANY prefix of a random run (inits with and without KIP-360 ids, adds, ends, markers
// written or not, timeouts and expiry by the clock), a coordinator fed only the records written so far holds the
// same transactional ids with the same producer id, epoch, state, partitions, timeout and timestamps, and asks again
// for the markers of every transaction left in PrepareCommit/PrepareAbort.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InitProducerIdResponse } from '@sluice/protocol';
import fc from 'fast-check';
import { TransactionCoordinator, type TxnMarkerRequest, TxnState } from '../src/transactions/index.ts';
import { addOffsets, addPartitions, endTxn, init, TxnHarness } from './txn-harness.ts';

const IDS = ['t0', 't1', 't2'];

test('a rebuild from the records after any prefix of a random run equals the live state', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 30_000 }) }),
    fc.record({
      kind: fc.constant('init' as const),
      who: fc.nat(2),
      kip360: fc.boolean(),
      timeout: fc.constantFrom(8_000, 60_000),
    }),
    fc.record({
      kind: fc.constant('add' as const),
      who: fc.nat(2),
      topic: fc.constantFrom('a', 'b'),
      partition: fc.nat(3),
    }),
    fc.record({ kind: fc.constant('offsets' as const), who: fc.nat(2), group: fc.constantFrom('g1', 'g2') }),
    fc.record({ kind: fc.constant('end' as const), who: fc.nat(2), commit: fc.boolean() }),
    fc.record({ kind: fc.constant('markers' as const), all: fc.boolean() }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const h = new TxnHarness({
        config: { transactionalIdExpirationMs: 120_000, removeExpiredTransactionalIdsIntervalMs: 20_000 },
      });
      // What each client holds: its producer id and epoch (a zombie keeps using an old one).
      const held = IDS.map(() => ({ producerId: -1n, epoch: -1 }));
      for (const o of ops) {
        if (o.kind === 'time') h.advance(o.ms);
        else if (o.kind === 'init') {
          const c = held[o.who];
          const req = o.kip360
            ? init(IDS[o.who], c.producerId, c.epoch, o.timeout)
            : init(IDS[o.who], -1n, -1, o.timeout);
          const r = h.call<InitProducerIdResponse>(22, 4, req).response;
          if (r?.errorCode === 0) held[o.who] = { producerId: r.producerId, epoch: r.producerEpoch };
        } else if (o.kind === 'add') {
          const c = held[o.who];
          h.call(24, 3, addPartitions(IDS[o.who], c.producerId, c.epoch, { [o.topic]: [o.partition] }));
        } else if (o.kind === 'offsets') {
          const c = held[o.who];
          h.call(25, 3, addOffsets(IDS[o.who], c.producerId, c.epoch, o.group));
        } else if (o.kind === 'end') {
          const c = held[o.who];
          h.call(26, 3, endTxn(IDS[o.who], c.producerId, c.epoch, o.commit));
        } else if (o.all) h.writeAllMarkers();
        else {
          const m = h.markers.shift();
          if (m !== undefined)
            h.take(h.coordinator.markersWritten(m.transactionalId, m.producerId, m.producerEpoch, h.now));
        }
        const asked: TxnMarkerRequest[] = [];
        const rebuilt = new TransactionCoordinator({
          allocateProducerId: () => -2n,
          writeMarkers: (m) => asked.push(m),
        });
        for (const r of h.log) rebuilt.loadRecord(r.key, r.value);
        rebuilt.completeLoad(h.now);
        const live = h.coordinator.transactions();
        assert.deepEqual(rebuilt.transactions(), live);
        const preparing = live.filter((t) => t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort);
        assert.deepEqual(
          asked.map((m) => m.transactionalId).sort(),
          preparing.map((t) => t.transactionalId),
        );
      }
    }),
    { numRuns: 150 },
  );
});
