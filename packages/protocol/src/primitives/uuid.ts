// UUIDs on the wire are 16 raw bytes. In memory Sluice keeps them as Kafka's own text form, `Uuid.toString()`:
// 22 characters of unpadded base64url (what kafka-topics.sh and the Java client print), so the zero UUID, Kafka's
// "none", is 'AAAAAAAAAAAAAAAAAAAAAA'. Strings compare with ===, hash in a Map, and print as users expect.
// 22 base64url characters carry 132 bits; the last character's low 4 bits are dropped on encode, so only the
// canonical form (as produced by uuidFromBytes) survives a round trip unchanged.
import { randomFillSync } from 'node:crypto';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Kafka's METADATA_TOPIC_ID / sentinel "one" UUID (…0001). */
export const ONE_UUID = 'AAAAAAAAAAAAAAAAAAAAAQ';

const UUID_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export function isUuid(value: string): boolean {
  return UUID_TEXT.test(value);
}

/** Text form of the 16 bytes at buf[pos..pos+16). */
export function uuidFromBytes(buf: Buffer, pos: number): string {
  return buf.toString('base64url', pos, pos + 16);
}

/** Writes a UUID's 16 bytes at pos; throws (a caller bug) unless `value` is a canonical 22-character UUID. */
export function writeUuidBytes(buf: Buffer, pos: number, value: string): void {
  if (value.length !== 22 || !UUID_TEXT.test(value)) throw new TypeError(`not a UUID: ${JSON.stringify(value)}`);
  buf.write(value, pos, 16, 'base64url');
}

/** A random version-4 UUID, as Kafka's Uuid.randomUuid() (which also avoids the zero and one sentinels). */
export function randomUuid(): string {
  const bytes = Buffer.allocUnsafe(16);
  for (;;) {
    randomFillSync(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const text = uuidFromBytes(bytes, 0);
    // Kafka also rejects ids starting with '-' (they read as command-line flags).
    if (text !== ZERO_UUID && text !== ONE_UUID && text[0] !== '-') return text;
  }
}
