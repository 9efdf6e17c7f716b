// partitionFor must match Kafka's Utils.abs(groupId.hashCode()) % n; the expected values were computed with Java 17
// (String.hashCode, Utils.abs), so a client's FindCoordinator and the broker agree on where a group lives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { javaStringHashCode, partitionFor } from '../src/index.ts';

const JAVA: [string, number, number, number][] = [
  // groupId, hashCode, % 50, % 7
  ['', 0, 0, 0],
  ['my-group', -1906497762, 12, 1],
  ['console-consumer-12345', 158455506, 6, 6],
  ['test-group', 627841412, 12, 2],
  ['a', 97, 47, 6],
  ['Gruppe-äöü', 708916024, 24, 5],
  ['group-😀', 508083057, 7, 6],
  ['kafka-streams-app-KSTREAM', -1753268002, 2, 3],
  ['zzzzzzzzzzzzzzzzzzzzzzzz', -143714560, 10, 3],
];

test('javaStringHashCode equals Java String.hashCode, surrogate pairs included', () => {
  for (const [id, hash] of JAVA) assert.equal(javaStringHashCode(id), hash, id);
});

test('partitionFor equals Kafka abs(hashCode) % partitions', () => {
  for (const [id, , mod50, mod7] of JAVA) {
    assert.equal(partitionFor(id, 50), mod50, id);
    assert.equal(partitionFor(id, 7), mod7, id);
  }
});

test('a group whose hashCode is Integer.MIN_VALUE lands on partition 0, as Utils.abs makes it', () => {
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  assert.equal(partitionFor('polygenelubricants', 50), 0);
  assert.equal(partitionFor('polygenelubricants', 7), 0);
});
