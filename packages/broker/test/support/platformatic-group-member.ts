// One consumer-group member with @platformatic/kafka, run as a child process by
// packages/broker/test/groups-members.test.ts (so the test can SIGKILL it). Joins the group argv[4] on topic argv[3]
// at argv[2] (bootstrap) from the earliest offset, session timeout argv[5] ms, and prints JSON lines on stdout:
//   {"event":"assignment","partitions":[...]}          after every join (the member's whole assignment)
//   {"event":"record","partition":p,"offset":o,"value":"..."}   per record, after its offset was committed
//   {"event":"commit-failed","error":"..."}             a commit the group refused (a rebalance was under way)
// Records of partitions outside the current assignment are skipped (see below).
// stdin EOF closes the member cleanly (LeaveGroup) and exits 0.
import { Consumer, MessagesStreamFallbackModes, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';

const [bootstrap, topic, groupId, sessionTimeoutMs] = process.argv.slice(2);
const sessionTimeout = Number(sessionTimeoutMs);
const print = (e: object) => process.stdout.write(`${JSON.stringify(e)}\n`);

const consumer = new Consumer({
  clientId: 'sluice-group-member',
  bootstrapBrokers: [bootstrap],
  groupId,
  deserializers: stringDeserializers,
  sessionTimeout,
  rebalanceTimeout: sessionTimeout,
  // 500 ms: a rebalance is noticed by the next heartbeat, well inside the session timeout.
  heartbeatInterval: 500,
  maxWaitTime: 500,
});
consumer.on('consumer:group:join', (e: { assignments: Array<{ topic: string; partitions: number[] }> | null }) => {
  const mine = (e.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
  print({ event: 'assignment', partitions: mine.sort((a, b) => a - b) });
});

const stream = await consumer.consume({
  topics: [topic],
  autocommit: false,
  mode: MessagesStreamModes.COMMITTED,
  fallbackMode: MessagesStreamFallbackModes.EARLIEST,
});
let closing = false;
process.stdin.on('data', () => {});
process.stdin.once('end', async () => {
  closing = true;
  await stream.close();
  await consumer.close();
  process.exit(0);
});
for await (const message of stream) {
  if (closing) break;
  // @platformatic/kafka 2.12.1 keeps fetching during an eager rebalance and delivers what a fetch sent under the old
  // assignment returns, even for partitions the new assignment gave to another member: skip those (not ours to
  // commit), as an application using this client must.
  const owned = consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
  if (!owned.includes(message.partition)) continue;
  try {
    await message.commit();
  } catch (error) {
    print({ event: 'commit-failed', error: String(error) });
    continue;
  }
  print({ event: 'record', partition: message.partition, offset: Number(message.offset), value: message.value });
}
