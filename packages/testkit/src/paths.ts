// Where the test tools live in the repository. scripts/setup fetches and builds them there:
// tools/java/target/lib/*.jar (Kafka + kafka-clients from Maven Central), tools/java/target/classes (the Java client
// program), tools/go/bin/franz-client (the franz-go client program). None of them is committed.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const javaToolsDir = join(repoRoot, 'tools', 'java');
export const javaLibDir = join(javaToolsDir, 'target', 'lib');
export const javaClassesDir = join(javaToolsDir, 'target', 'classes');
export const franzClientBin = join(repoRoot, 'tools', 'go', 'bin', 'franz-client');
export const javaBin = process.env.JAVA ?? '/usr/bin/java';

export const javaLegacyClientsDir = join(javaToolsDir, 'target', 'clients-legacy');

/** Classpath of the Kafka broker jars. */
export function javaClasspath(): string {
  return join(javaLibDir, '*');
}

/**
 * Classpath of the Java client program with one kafka-clients jar: 'current' (the broker's version, in target/lib)
 * or 'legacy' (3.9.x, in target/clients-legacy). Broker jars are left out so only one client is visible.
 */
export function javaClientClasspath(client: 'current' | 'legacy'): string {
  const libs = readdirSync(javaLibDir).filter((f) => f.endsWith('.jar'));
  const clientJar =
    client === 'current'
      ? join(javaLibDir, libs.find((f) => f.startsWith('kafka-clients-')) ?? 'kafka-clients.jar')
      : join(javaLegacyClientsDir, readdirSync(javaLegacyClientsDir).find((f) => f.startsWith('kafka-clients-')) ?? '');
  const support = libs.filter((f) => !f.startsWith('kafka') && !f.startsWith('scala')).map((f) => join(javaLibDir, f));
  return [javaClassesDir, clientJar, ...support].join(':');
}

/** True when scripts/setup has fetched Kafka's jars, so tests that need a real Kafka can run (others skip). */
export function kafkaAvailable(): boolean {
  return existsSync(join(javaToolsDir, 'target', '.stamp')) || existsSync(javaLibDir);
}
