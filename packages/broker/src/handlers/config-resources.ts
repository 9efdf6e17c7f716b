// What DescribeConfigs, AlterConfigs and IncrementalAlterConfigs share: Kafka's ConfigResource types, which
// resource a name addresses on this node, and applying a new override/dynamic map to a resource. Errors are values
// ({ errorCode, errorMessage }) with Kafka's messages (ConfigHelper, ControllerConfigurationValidator).
//   TOPIC (2)          the topic must exist (UNKNOWN_TOPIC_OR_PARTITION) and have a legal name
//                      (INVALID_TOPIC_EXCEPTION); overrides are validated as CreateTopics does (INVALID_CONFIG).
//   BROKER (4)         "" = the cluster default (DYNAMIC_DEFAULT_BROKER_CONFIG), our node id = this broker
//                      (DYNAMIC_BROKER_CONFIG); another integer -> INVALID_REQUEST "Unexpected broker id ...",
//                      not an integer -> INVALID_REQUEST.
//   BROKER_LOGGER (8)  our node id only: describes no loggers (Sluice has no log4j); alters are refused.
// Other types (UNKNOWN 0, CLIENT_METRICS 16, GROUP 32) -> INVALID_REQUEST "Unsupported resource type".
import { type BrokerConfig, topicOverridesWithoutRemoved, validateTopicConfigs } from '@sluice/config';
import { ErrorCode } from '../error-codes.ts';
import { topicNameError } from '../metadata/topic-manager.ts';
import type { BrokerServices } from '../services.ts';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

export interface ResourceError {
  errorCode: number;
  errorMessage: string;
}

export type ConfigTarget =
  | { kind: 'topic'; name: string; overrides: Readonly<Record<string, string>> }
  | { kind: 'broker'; perBroker: boolean; dynamic: Readonly<Record<string, string>> }
  | { kind: 'brokerLogger' };

function fail(errorCode: number, errorMessage: string): ResourceError {
  return { errorCode, errorMessage };
}

/** Kafka's ConfigHelper.resourceNameToBrokerId: a base-10 int or INVALID_REQUEST. */
function brokerIdOf(name: string): number | ResourceError {
  if (!/^-?\d+$/.test(name) || !Number.isSafeInteger(Number(name))) {
    return fail(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  }
  return Number(name);
}

/** Which resource `type`/`name` addresses on this node, or Kafka's error for it. */
export function resolveResource(s: BrokerServices, type: number, name: string): ConfigTarget | ResourceError {
  const nodeId = s.metadata().nodeId;
  const config = s.config();
  switch (type) {
    case ResourceType.TOPIC: {
      const nameError = topicNameError(name);
      if (nameError !== null) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError);
      const topic = s.metadata().topics.get(name);
      if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
      return { kind: 'topic', name, overrides: topic.configs };
    }
    case ResourceType.BROKER: {
      if (name === '') {
        return { kind: 'broker', perBroker: false, dynamic: Object.fromEntries(config.dynamicDefaultConfigs) };
      }
      const id = brokerIdOf(name);
      if (typeof id !== 'number') return id;
      if (id !== nodeId) {
        return fail(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`,
        );
      }
      return { kind: 'broker', perBroker: true, dynamic: Object.fromEntries(config.dynamicBrokerConfigs) };
    }
    case ResourceType.BROKER_LOGGER: {
      if (name === '') return fail(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
      const id = brokerIdOf(name);
      if (typeof id !== 'number') return id;
      if (id !== nodeId) {
        return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} but received ${name}`);
      }
      return { kind: 'brokerLogger' };
    }
    default:
      return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${type}`);
  }
}

export function isResourceError(r: ConfigTarget | ResourceError): r is ResourceError {
  return (r as ResourceError).errorCode !== undefined;
}

/** A broker config with one dynamic layer replaced, or INVALID_CONFIG / INVALID_REQUEST with Kafka's message. */
function brokerConfigWith(
  config: BrokerConfig,
  perBroker: boolean,
  layer: Record<string, string>,
): BrokerConfig | ResourceError {
  const r = config.withDynamic(perBroker ? { broker: layer } : { clusterDefault: layer });
  if (r.ok) return r.config;
  const readOnly = r.errors.some((e) => e.startsWith('Cannot update these configs'));
  return fail(readOnly ? ErrorCode.INVALID_REQUEST : ErrorCode.INVALID_CONFIG, r.errors.join('; '));
}

/**
 * Validates the new complete override map (topic) or dynamic layer (broker) of a resource and, unless
 * validateOnly, applies it: topic overrides are persisted and pushed to the partition logs (effective at once),
 * broker layers persisted in the data directory and published. Null = success.
 */
export async function applyResourceConfigs(
  s: BrokerServices,
  target: ConfigTarget,
  next: Record<string, string>,
  validateOnly: boolean,
): Promise<ResourceError | null> {
  switch (target.kind) {
    case 'topic': {
      const errors = validateTopicConfigs(next, s.config());
      if (errors.length > 0) return fail(ErrorCode.INVALID_CONFIG, errors.join('; '));
      if (validateOnly) return null;
      const r = await s.topics.alterTopicConfigs(target.name, topicOverridesWithoutRemoved(next));
      return r.errorCode === ErrorCode.NONE ? null : fail(r.errorCode, `The topic '${target.name}' does not exist.`);
    }
    case 'broker': {
      const config = brokerConfigWith(s.config(), target.perBroker, next);
      if ('errorCode' in config) return config;
      if (!validateOnly) await s.alterBrokerConfig(config);
      return null;
    }
    case 'brokerLogger':
      return fail(ErrorCode.INVALID_REQUEST, 'Sluice has no broker loggers to alter');
  }
}

/** The resource's current override map (topic) or dynamic layer (broker). */
export function currentConfigs(target: ConfigTarget): Record<string, string> {
  if (target.kind === 'topic') return { ...target.overrides };
  if (target.kind === 'broker') return { ...target.dynamic };
  return {};
}
