// Which partition a produced record goes to, decided here so the command can report counts and offsets per
// partition: an explicit --partition; else a keyed record goes where Kafka's Java client sends it
// (murmur2(key) & 0x7fffffff mod partitionCount, @platformatic/kafka's compatibilityPartitioner); else round-robin.
import { compatibilityPartitioner } from '@platformatic/kafka';

export function partitionerFor(partitionCount: number, fixed?: number): (key: Buffer | undefined) => number {
  let next = 0;
  return (key) => {
    if (fixed !== undefined) return fixed;
    if (key) return compatibilityPartitioner({ topic: '' }, key) % partitionCount;
    next = (next + 1) % partitionCount;
    return next;
  };
}
