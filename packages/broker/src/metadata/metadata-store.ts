// Persistence of the broker's metadata in its data directory. Files, all written atomically (temp file, fsync,
// rename, fsync of the directory; packages/storage realFileOps.writeFileAtomic), so a crash leaves old or new:
//   meta.properties        Kafka's format (MetaProperties v1, what `kafka-storage.sh format` writes):
//                            #<comment line>
//                            node.id=<int>
//                            directory.id=<22-char uuid>
//                            version=1
//                            cluster.id=<22-char uuid>
//   sluice-topics.json     {"version":1,"topics":[{"name","topicId","partitions":<count>,"configs":{...}}]}
//                          Sluice's own: a single node keeps topics here instead of a KRaft metadata log.
// The broker refuses to start when meta.properties names another node id (a data dir belongs to one node).
// Main-thread synchronous I/O: only at start and on CreateTopics/DeleteTopics, which are rare.
import { existsSync, readFileSync } from 'node:fs';
import { randomUuid } from '@sluice/protocol';
import { realFileOps } from '@sluice/storage';

export const META_PROPERTIES = 'meta.properties';
export const TOPICS_FILE = 'sluice-topics.json';

export interface StoredTopic {
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
}

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

function parseProps(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    if (eq > 0) out.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  return out;
}

/** Reads meta.properties, or writes a new one (fresh cluster id) when the data dir has none. Throws on mismatch. */
export function loadOrCreateMetaProperties(dataDir: string, nodeId: number): MetaProperties {
  const path = `${dataDir}/${META_PROPERTIES}`;
  if (existsSync(path)) {
    const props = parseProps(readFileSync(path, 'utf8'));
    const stored = Number(props.get('node.id'));
    if (props.get('version') !== '1' || !props.get('cluster.id')) {
      throw new Error(`${path}: not a meta.properties version 1 with a cluster.id`);
    }
    if (stored !== nodeId) {
      throw new Error(`${path}: the data directory belongs to node.id ${stored}, but this broker is node.id ${nodeId}`);
    }
    return { clusterId: props.get('cluster.id')!, nodeId, directoryId: props.get('directory.id') ?? randomUuid() };
  }
  const meta = { clusterId: randomUuid(), nodeId, directoryId: randomUuid() };
  const text =
    `#\n#${new Date().toString()}\n` +
    `node.id=${nodeId}\ndirectory.id=${meta.directoryId}\nversion=1\ncluster.id=${meta.clusterId}\n`;
  realFileOps.writeFileAtomic(path, Buffer.from(text, 'utf8'));
  return meta;
}

export function loadTopics(dataDir: string): StoredTopic[] {
  const path = `${dataDir}/${TOPICS_FILE}`;
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { version: number; topics: StoredTopic[] };
  if (parsed.version !== 1) throw new Error(`${path}: unsupported version ${parsed.version}`);
  return parsed.topics;
}

export function saveTopics(dataDir: string, topics: readonly StoredTopic[]): void {
  const text = JSON.stringify({ version: 1, topics }, null, 1);
  realFileOps.writeFileAtomic(`${dataDir}/${TOPICS_FILE}`, Buffer.from(text, 'utf8'));
}
