// An idempotent @platformatic/kafka producer (idempotent: true, acks=all), run as a child process by
// packages/broker/test/idempotence-platformatic.test.ts while the test SIGKILLs and restarts the broker. Sends
// argv[5] records "<argv[6]>-<i>" to partition i % argv[4] of topic argv[3] at argv[2] (bootstrap), 50 records a
// send, one send at a time, 10 ms apart, retrying through broker restarts. Prints
// "ack <partition> <offset> <value>" per acknowledged record, then "done"; a send that fails after its retries
// prints "error <message>" and the process exits 1.
import { Producer, stringSerializers } from '@platformatic/kafka';

const [bootstrap, topic, partitionsArg, countArg, prefix] = process.argv.slice(2);
const partitions = Number(partitionsArg);
const count = Number(countArg);

const producer = new Producer({
  clientId: 'sluice-idempotent-producer',
  bootstrapBrokers: [bootstrap],
  serializers: stringSerializers,
  idempotent: true,
  acks: -1,
  // A restart takes ~1 s here: 3 s per request and 100 retries 100 ms apart outlast it many times over.
  timeout: 3000,
  retries: 100,
  retryDelay: 100,
});

try {
  for (let i = 0; i < count; i += 50) {
    const messages = Array.from({ length: Math.min(50, count - i) }, (_, k) => ({
      topic,
      value: `${prefix}-${i + k}`,
      partition: (i + k) % partitions,
    }));
    const result = await producer.send({ messages });
    const lines: string[] = [];
    for (const o of result.offsets ?? []) {
      const mine = messages.filter((m) => m.partition === o.partition);
      mine.forEach((m, k) => {
        lines.push(`ack ${o.partition} ${Number(o.offset) + k} ${m.value}`);
      });
    }
    process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    await new Promise((r) => setTimeout(r, 10));
  }
  await producer.close();
  process.stdout.write('done\n');
} catch (error) {
  process.stdout.write(`error ${String(error).replaceAll('\n', ' ')}\n`);
  process.exit(1);
}
