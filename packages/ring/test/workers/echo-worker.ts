// Echo worker for the cross-thread stress test: reads entries from the request ring, checks each one against the
// payload its sequence number (the tag) implies, and pushes it back unchanged on the completion ring, straight
// from ring memory. Records the first mismatch and keeps echoing, so both threads still finish; reports at the end.

import { parentPort, workerData } from 'node:worker_threads';
import { RingConsumer } from '../../src/ring-consumer.ts';
import { RingProducer } from '../../src/ring-producer.ts';
import { payloadSource } from '../support/payloads.ts';

interface EchoWorkerData {
  requests: SharedArrayBuffer;
  completions: SharedArrayBuffer;
  seed: number;
  maxLength: number;
}

const { requests, completions, seed, maxLength } = workerData as EchoWorkerData;
const consumer = new RingConsumer(requests);
const producer = new RingProducer(completions);
const payloads = payloadSource(seed, maxLength);
let expected = 0;
let error: string | undefined;

function fail(message: string): void {
  error ??= message;
}

while (!consumer.ended) {
  let read = 0;
  while (consumer.next()) {
    if (consumer.tag !== expected) fail(`request ${expected}: got tag ${consumer.tag}`);
    const view = consumer.view();
    if (Buffer.compare(view, payloads.payloadOf(expected)) !== 0) fail(`request ${expected}: payload differs`);
    producer.push(expected, view); // copied before release() below frees the request's bytes
    expected++;
    // Release in steps, lagging the reads, as a shard does after writing a batch.
    if (++read % 64 === 0) consumer.release();
  }
  consumer.release();
  await consumer.waitAsync(50);
}
producer.close();
await producer.whenDrained();
parentPort!.postMessage({ done: expected, error });
