// Which __consumer_offsets partition holds a group: Kafka's `Utils.abs(groupId.hashCode()) % offsetsTopicPartitions`
// (GroupCoordinator partitionFor). Java's String.hashCode runs over UTF-16 code units (s[0]*31^(n-1) + ... + s[n-1],
// int32 overflow), which is exactly what JavaScript's charCodeAt gives, surrogate pairs included. Utils.abs maps
// Integer.MIN_VALUE to 0 (Math.abs would leave it negative).

/** Java's String.hashCode(). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The __consumer_offsets partition that owns `groupId` among `offsetsTopicPartitions` (default 50 in Kafka). */
export function partitionFor(groupId: string, offsetsTopicPartitions: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % offsetsTopicPartitions;
}
