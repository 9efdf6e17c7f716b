// A single-node broker: opens the data directory (meta.properties, topics, partition logs on their shards), serves
// every listener, and stops cleanly.
// Start: the data directory locked (data-dir-lock.ts) -> meta.properties checked/created -> clean-shutdown marker read and removed -> persisted topics loaded ->
// partition directories of topics that no longer exist removed (a delete interrupted by a crash) -> shards started
// (each recovers its logs) -> listeners bound. Stop: stop accepting -> stop reading -> answer long polls and wait for
// every in-flight request (bounded) -> close connections -> shards flush and close their logs -> the
// log-start-offset checkpoint and the clean-shutdown marker are written (Kafka's `.kafka_cleanshutdown`).
// Owner: main thread.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { BrokerConfig, Listener } from '@sluice/config';
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_START_OFFSET_CHECKPOINT,
  readCheckpoint,
  realFileOps,
  writeCheckpoint,
} from '@sluice/storage';
import { FetchPurgatory } from './fetch/fetch-purgatory.ts';
import { SegmentReader } from './fetch/segment-reader.ts';
import { GroupRouter, groupCoordinatorConfig } from './groups/group-router.ts';
import type { Handler } from './handlers/handler.ts';
import { handlers as allHandlers, handlerTable } from './handlers/index.ts';
import { lockDataDir } from './metadata/data-dir-lock.ts';
import {
  dynamicLayersOf,
  loadDynamicConfigs,
  saveDynamicConfigs,
  withPersistedDynamic,
} from './metadata/dynamic-config-store.ts';
import { shardLogConfig } from './metadata/log-config-mapping.ts';
import { loadOrCreateMetaProperties, loadTopics } from './metadata/metadata-store.ts';
import { PartitionStates } from './metadata/partition-states.ts';
import { snapshotFromStored, TopicManager } from './metadata/topic-manager.ts';
import { BrokerMetrics } from './metrics/broker-metrics.ts';
import { type MetricsEndpoint, startMetricsEndpoint } from './metrics/metrics-server.ts';
import { ProducerIdManager } from './producer-ids.ts';
import { Connection } from './server/connection.ts';
import { adopt } from './server/shared-read-buffer.ts';
import type { BrokerServices } from './services.ts';
import { ShardPool } from './shard/shard-pool.ts';
import { TxnRouter, txnCoordinatorConfig } from './transactions/txn-router.ts';

// 16 MiB request ring per shard: ~15 default-size (1 MiB, max.message.bytes) batches or ~1,000 16 KiB ones in
// flight; an append larger than this (minus 24 bytes) is refused with MESSAGE_TOO_LARGE. Every page of the ring is
// resident once it has wrapped, so its size is RSS: 64 MiB cost 20-50 MiB more peak RSS and no throughput was
// lost going to 16 (benches/load/broker-memory.ts, W3 1 KiB, 64 partitions: 200-213k msg/s with 16 MiB); a full
// ring queues in JS and pauses reading (connection.ts), it does not fail.
const REQUEST_RING_BYTES = 16 * 1024 * 1024;
// Node flag every launcher of the broker passes: `--max-semi-space-size=16` (package.json `start`, bin/sluice.ts's
// shebang, the tests' broker-process.ts). V8 reads it only at start-up (v8.setFlagsFromString later does not cap
// the young generation), so the broker cannot set it itself. V8 sizes the semi-space to 64 MiB on this machine;
// with 16 MiB, W1 at 50k msg/s: main-thread GC 1.15 s -> 0.33 s per 15 s, broker CPU 10.9 -> 8.9 s, peak RSS
// 30-60 MiB lower (benches/load/broker-memory.ts; 8 MiB: GC 0.41-0.51 s). Worker threads share V8's flags.

// How long stop() waits for in-flight requests (an acks=all produce waits for its fdatasync).
const STOP_GRACE_MS = 10_000;

export interface BrokerOptions {
  config: BrokerConfig;
  /** Handlers to serve; defaults to handlers/index.ts. */
  handlers?: readonly Handler[];
  log?: (message: string) => void;
}

export interface BoundListener extends Listener {
  /** The port actually bound (differs from the configured one when that was 0). */
  readonly port: number;
}

export class Broker {
  readonly services: BrokerServices;
  readonly dataDir: string;
  readonly listeners: readonly BoundListener[];
  private readonly servers: Server[];
  private readonly connections: Set<Connection>;
  private stopping: Promise<void> | null = null;
  /** The Prometheus endpoint (sluice.metrics.listener), with the port actually bound; null when off. */
  metricsEndpoint: MetricsEndpoint | null = null;
  private readonly unlock: () => void;

  private constructor(
    services: BrokerServices,
    dataDir: string,
    listeners: BoundListener[],
    servers: Server[],
    connections: Set<Connection>,
    unlock: () => void,
  ) {
    this.unlock = unlock;
    this.services = services;
    this.dataDir = dataDir;
    this.listeners = listeners;
    this.servers = servers;
    this.connections = connections;
  }

  static async start(o: BrokerOptions): Promise<Broker> {
    const config = o.config;
    const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    if (config.logDirs.length !== 1) {
      throw new Error(`log.dirs: exactly one data directory is supported, got ${config.logDirs.length}`);
    }
    const dataDir = config.logDirs[0];
    mkdirSync(dataDir, { recursive: true });
    const unlock = lockDataDir(dataDir);
    try {
      return await Broker.open(o, config, dataDir, unlock, log);
    } catch (err) {
      unlock();
      throw err;
    }
  }

  private static async open(
    o: BrokerOptions,
    config: BrokerConfig,
    dataDir: string,
    unlock: () => void,
    log: (m: string) => void,
  ): Promise<Broker> {
    const meta = loadOrCreateMetaProperties(dataDir, config.nodeId);
    const marker = `${dataDir}/${CLEAN_SHUTDOWN_FILE}`;
    const cleanShutdown = realFileOps.exists(marker);
    if (cleanShutdown) {
      realFileOps.unlink(marker);
      realFileOps.syncDir(dataDir);
    }
    const shardCount = config.shards;
    // Dynamic broker configs (AlterConfigs) persisted by an earlier run apply from the start; replaced whole later.
    let current = withPersistedDynamic(config, loadDynamicConfigs(dataDir), log);
    const { snapshot, nextHandle } = snapshotFromStored(meta.clusterId, meta.nodeId, loadTopics(dataDir), shardCount);
    removeOrphanPartitionDirs(dataDir, new Set(snapshot.topics.keys()), log);
    const starts = new Map<string, number>();
    for (const [topic, partition, offset] of readCheckpoint(realFileOps, `${dataDir}/${LOG_START_OFFSET_CHECKPOINT}`)) {
      starts.set(`${topic}-${partition}`, Number(offset));
    }
    const states = new PartitionStates();
    const shards = await ShardPool.start({
      shardCount,
      dataDir,
      cleanShutdown,
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      ackBeforeFsync: config.get('sluice.ack.before.fsync'),
      producerIdExpirationMs: config.get('producer.id.expiration.ms'),
      groupConfig: groupCoordinatorConfig(current),
      txnConfig: txnCoordinatorConfig(current),
      requestRingBytes: REQUEST_RING_BYTES,
      onOffsets: (offsets) => states.update(offsets),
      log,
      partitions: [...snapshot.topics.values()].flatMap((t) => {
        const logConfig = shardLogConfig(current, t.configs);
        return t.partitions.map((p) => ({
          partitionHandle: p.partitionHandle,
          topic: t.name,
          partition: p.partition,
          shard: p.shard,
          config: logConfig,
          logStartOffset: starts.get(`${t.name}-${p.partition}`) ?? 0,
        }));
      }),
    });
    const topics = new TopicManager({
      dataDir,
      config: () => current,
      shards,
      states,
      initial: snapshot,
      firstPartitionHandle: nextHandle,
    });
    const bound: BoundListener[] = [];
    const producerIds = new ProducerIdManager(dataDir);
    const services: BrokerServices = {
      config: () => current,
      metadata: () => topics.current,
      topics,
      shards,
      partitionStates: states,
      fetchPurgatory: new FetchPurgatory(states),
      segmentReader: new SegmentReader(),
      groups: new GroupRouter({ topics, shards, config: () => current, log }),
      advertisedListeners: () =>
        config.staticConfigs.has('advertised.listeners') ? config.advertisedListeners : bound,
      dataDir,
      producerIds,
      transactions: new TxnRouter({ topics, shards, producerIds, config: () => current, log }),
      saveLogStartOffsets: (changed) => {
        const entries: Array<Array<string | number>> = [];
        for (const t of topics.current.topics.values()) {
          for (const p of t.partitions) {
            const offset = changed?.get(p.partitionHandle) ?? states.get(p.partitionHandle)?.logStartOffset;
            if (offset !== undefined) entries.push([t.name, p.partition, offset]);
          }
        }
        writeCheckpoint(realFileOps, `${dataDir}/${LOG_START_OFFSET_CHECKPOINT}`, entries);
      },
      alterBrokerConfig: async (next) => {
        saveDynamicConfigs(dataDir, dynamicLayersOf(next));
        current = next;
        await topics.refreshLogConfigs();
      },
      log,
      metrics: new BrokerMetrics({
        metadata: () => topics.current,
        partitionStates: states,
        shards,
        activeConnections: () => connections.size,
        fetchPurgatorySize: () => services.fetchPurgatory.parkedCount,
      }),
    };
    const table = handlerTable(o.handlers ?? allHandlers);
    const maxFrameBytes = config.get('socket.request.max.bytes');
    const connections = new Set<Connection>();
    const servers: Server[] = [];
    let metricsEndpoint: MetricsEndpoint | null = null;
    try {
      for (const l of config.listeners) {
        const server = createServer({ pauseOnConnect: true }, (accepted) => {
          let c: Connection | null = null;
          const adopted = adopt(accepted, (chunk) => c?.onData(chunk));
          c = new Connection({
            socket: adopted ?? accepted,
            services,
            handlers: table,
            listenerName: l.name,
            maxFrameBytes,
            sharedReads: adopted !== null,
            onClose: (closed) => connections.delete(closed),
          });
          connections.add(c);
          (adopted ?? accepted).resume();
        });
        servers.push(server);
        const port = await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(l.port, l.host === '' ? '0.0.0.0' : l.host, () => {
            server.off('error', reject);
            const a = server.address();
            resolve(typeof a === 'object' && a !== null ? a.port : l.port);
          });
        });
        bound.push({ name: l.name, host: l.host === '' ? '127.0.0.1' : l.host, port });
      }
      const metricsListener = config.get('sluice.metrics.listener');
      if (metricsListener !== '') {
        metricsEndpoint = await startMetricsEndpoint(metricsListener, services.metrics, log);
        log(`metrics on http://${metricsEndpoint.host}:${metricsEndpoint.port}/metrics`);
      }
    } catch (err) {
      for (const s of servers) s.close();
      await shards.close();
      throw err;
    }
    const broker = new Broker(services, dataDir, bound, servers, connections, unlock);
    broker.metricsEndpoint = metricsEndpoint;
    return broker;
  }

  /** Stops cleanly; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const s = this.services;
    for (const server of this.servers) server.close();
    void this.metricsEndpoint?.close();
    for (const c of this.connections) c.stopReading();
    s.fetchPurgatory.close();
    s.transactions.stop();
    // JoinGroup/SyncGroup answers parked for a rebalance would hold the connections for the whole grace period.
    await Promise.all(s.shards.shards.map((shard) => shard.control({ op: 'unloadGroups' })));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.connections].map((c) => c.idle())),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    for (const c of [...this.connections]) c.end();
    const clean = await s.shards.close();
    s.saveLogStartOffsets();
    if (clean) {
      realFileOps.writeFileAtomic(
        `${this.dataDir}/${CLEAN_SHUTDOWN_FILE}`,
        Buffer.from('{"version":0,"brokerEpoch":-1}'),
      );
    } else s.log('a shard could not close its logs cleanly: they are recovered on the next start');
    for (const c of [...this.connections]) c.close();
    this.unlock();
  }
}

/**
 * Removes partition directories whose topic is not in the metadata (a topic delete that a crash interrupted) and
 * "<dir>.<id>-delete" directories of deleted partitions that were not removed before the broker stopped.
 */
function removeOrphanPartitionDirs(dataDir: string, topics: ReadonlySet<string>, log: (m: string) => void): void {
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name.endsWith('-delete')) {
      rmSync(`${dataDir}/${entry.name}`, { recursive: true, force: true });
      continue;
    }
    const m = /^(.+)-(\d+)$/.exec(entry.name);
    if (m === null || topics.has(m[1])) continue;
    log(`removing ${dataDir}/${entry.name}: its topic no longer exists`);
    rmSync(`${dataDir}/${entry.name}`, { recursive: true, force: true });
  }
}
