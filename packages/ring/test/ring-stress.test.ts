// Cross-thread stress: 200,000 entries of random size (0 B .. 24 KiB) travel main -> worker -> main through two
// 64 KiB rings, so both directions wrap around thousands of times and both producers hit back-pressure. The worker
// checks every request against the payload its sequence number implies; the main thread checks every echo.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRing, RingConsumer, RingProducer } from '../src/index.ts';
import { payloadSource } from './support/payloads.ts';

const ENTRIES = 200_000;
const MAX_LENGTH = 24 * 1024;
const SEED = 0x2026_1124;

test('entries cross to a worker and back in order and intact under back-pressure both ways', {
  timeout: 120_000,
}, async () => {
  const requests = createRing(64 * 1024);
  const completions = createRing(64 * 1024);
  const worker = new Worker(new URL('./workers/echo-worker.ts', import.meta.url), {
    workerData: { requests, completions, seed: SEED, maxLength: MAX_LENGTH },
  });
  let report: { done?: number; error?: string } | undefined;
  const workerResult = new Promise<{ done?: number; error?: string }>((resolve) => {
    const settle = (message: { done?: number; error?: string }): void => {
      report ??= message;
      resolve(report);
    };
    worker.once('message', settle);
    worker.once('error', (error) => settle({ error: String(error) }));
    worker.once('exit', (code) => settle({ error: `worker exited with code ${code}` }));
  });
  const producer = new RingProducer(requests);
  const consumer = new RingConsumer(completions);
  const payloads = payloadSource(SEED, MAX_LENGTH);

  let sent = 0;
  let received = 0;
  let sawBackPressure = false;
  let mismatch: string | undefined;
  while (!consumer.ended && report?.error === undefined) {
    // Keep a bounded backlog, as the broker pauses sockets when the overflow queue grows.
    while (sent < ENTRIES && producer.queuedEntries < 256) {
      if (!producer.push(sent, payloads.payloadOf(sent))) sawBackPressure = true;
      sent++;
      if (sent === ENTRIES) producer.close();
    }
    while (consumer.next()) {
      // Record the first mismatch and keep reading, so both threads finish and the test reports it.
      if (consumer.tag !== received) mismatch ??= `echo ${received}: got tag ${consumer.tag}`;
      else if (Buffer.compare(consumer.view(), payloads.payloadOf(received)) !== 0) {
        mismatch ??= `echo ${received}: payload differs`;
      }
      received++;
    }
    consumer.release();
    await consumer.waitAsync(20);
  }

  const result = await workerResult;
  await worker.terminate();
  assert.equal(mismatch, undefined);
  assert.equal(result.error, undefined);
  assert.equal(result.done, ENTRIES);
  assert.equal(received, ENTRIES);
  assert.ok(sawBackPressure, 'the request ring filled up at least once');
});
