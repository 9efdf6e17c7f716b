// `sluice cluster info` (Metadata: cluster id, controller, brokers with host:port and rack, topic and partition
// counts) and `sluice api-versions` (ApiVersions: every API the broker advertises with its version range, as
// kafka-broker-api-versions.sh prints).
import type { Command } from 'commander';
import { act, globals } from '../action.ts';
import { withAdmin } from '../client.ts';
import { printTable } from '../format.ts';

/** Kafka's API names by key (org.apache.kafka.common.protocol.ApiKeys), for printing what a broker advertises. */
const API_NAMES: Record<number, string> = {
  0: 'Produce',
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  10: 'FindCoordinator',
  11: 'JoinGroup',
  12: 'Heartbeat',
  13: 'LeaveGroup',
  14: 'SyncGroup',
  15: 'DescribeGroups',
  16: 'ListGroups',
  17: 'SaslHandshake',
  18: 'ApiVersions',
  19: 'CreateTopics',
  20: 'DeleteTopics',
  21: 'DeleteRecords',
  22: 'InitProducerId',
  23: 'OffsetForLeaderEpoch',
  24: 'AddPartitionsToTxn',
  25: 'AddOffsetsToTxn',
  26: 'EndTxn',
  27: 'WriteTxnMarkers',
  28: 'TxnOffsetCommit',
  29: 'DescribeAcls',
  30: 'CreateAcls',
  31: 'DeleteAcls',
  32: 'DescribeConfigs',
  33: 'AlterConfigs',
  34: 'AlterReplicaLogDirs',
  35: 'DescribeLogDirs',
  36: 'SaslAuthenticate',
  37: 'CreatePartitions',
  38: 'CreateDelegationToken',
  39: 'RenewDelegationToken',
  40: 'ExpireDelegationToken',
  41: 'DescribeDelegationToken',
  42: 'DeleteGroups',
  43: 'ElectLeaders',
  44: 'IncrementalAlterConfigs',
  45: 'AlterPartitionReassignments',
  46: 'ListPartitionReassignments',
  47: 'OffsetDelete',
  48: 'DescribeClientQuotas',
  49: 'AlterClientQuotas',
  50: 'DescribeUserScramCredentials',
  51: 'AlterUserScramCredentials',
  52: 'Vote',
  53: 'BeginQuorumEpoch',
  54: 'EndQuorumEpoch',
  55: 'DescribeQuorum',
  56: 'AlterPartition',
  57: 'UpdateFeatures',
  58: 'Envelope',
  59: 'FetchSnapshot',
  60: 'DescribeCluster',
  61: 'DescribeProducers',
  62: 'BrokerRegistration',
  63: 'BrokerHeartbeat',
  64: 'UnregisterBroker',
  65: 'DescribeTransactions',
  66: 'ListTransactions',
  67: 'AllocateProducerIds',
  68: 'ConsumerGroupHeartbeat',
  69: 'ConsumerGroupDescribe',
  71: 'GetTelemetrySubscriptions',
  72: 'PushTelemetry',
  74: 'ListClientMetricsResources',
  75: 'DescribeTopicPartitions',
  76: 'ShareGroupHeartbeat',
  77: 'ShareGroupDescribe',
  78: 'ShareFetch',
  79: 'ShareAcknowledge',
  80: 'AddRaftVoter',
  81: 'RemoveRaftVoter',
  83: 'InitializeShareGroupState',
  84: 'ReadShareGroupState',
  85: 'WriteShareGroupState',
  86: 'DeleteShareGroupState',
  87: 'ReadShareGroupStateSummary',
  88: 'StreamsGroupHeartbeat',
  89: 'StreamsGroupDescribe',
  90: 'DescribeShareGroupOffsets',
  91: 'AlterShareGroupOffsets',
  92: 'DeleteShareGroupOffsets',
};

export function registerCluster(program: Command): void {
  program
    .command('cluster')
    .description('cluster-wide information')
    .command('info')
    .description('cluster id, controller, brokers, topic and partition counts')
    .action(
      act(async (_opts: unknown, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const topics = await admin.listTopics({ includeInternals: true });
          const md = await admin.metadata({ topics });
          // The client's metadata cache may keep entries for topics it no longer knows (undefined values).
          const known = [...md.topics.values()].filter((t) => t !== undefined);
          let partitions = 0;
          for (const t of known) partitions += t.partitionsCount;
          process.stdout.write(
            `Cluster: ${md.id}\tController: ${md.controllerId}\tTopics: ${known.length}\tPartitions: ${partitions}\n`,
          );
          printTable(
            ['BROKER', 'HOST', 'PORT', 'RACK'],
            [...md.brokers].sort((a, b) => a[0] - b[0]).map(([id, b]) => [id, b.host, b.port, b.rack ?? '-']),
          );
        });
      }),
    );
  program
    .command('api-versions')
    .description('the APIs the broker advertises (ApiVersions) with their version ranges')
    .action(
      act(async (_opts: unknown, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const apis = await admin.listApis();
          printTable(
            ['KEY', 'API', 'MIN', 'MAX'],
            apis
              .sort((a, b) => a.apiKey - b.apiKey)
              .map((a) => [a.apiKey, API_NAMES[a.apiKey] ?? '?', a.minVersion, a.maxVersion]),
          );
        });
      }),
    );
}
