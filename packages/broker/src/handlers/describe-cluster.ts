// DescribeCluster (key 60) v0-1. This node is the only broker and, as Kafka's brokers answer in KRaft mode, the
// "controller" clients are told about (KIP-919 clients asking a broker for CONTROLLER endpoints, v1 endpointType 2,
// get MISMATCHED_ENDPOINT_TYPE; any type other than 1/2 -> UNSUPPORTED_ENDPOINT_TYPE). The broker is listed with the
// advertised host/port of the listener the request came on. clusterAuthorizedOperations: without an authorizer every
// operation the CLUSTER resource supports (Kafka's AclEntry.supportedOperations), or Int.MIN when not asked for.
import type { DescribeClusterRequest, DescribeClusterResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
// AclOperation codes as bits: CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11,
// IDEMPOTENT_WRITE 12.
const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);
const ENDPOINT_BROKER = 1;
const ENDPOINT_CONTROLLER = 2;

export const describeClusterHandler: Handler = {
  apiKey: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx: RequestContext, request: unknown) {
    const req = request as DescribeClusterRequest;
    const s = ctx.services;
    const snapshot = s.metadata();
    const endpointType = ctx.apiVersion >= 1 ? req.endpointType : ENDPOINT_BROKER;
    const out: DescribeClusterResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: ENDPOINT_BROKER,
      clusterId: snapshot.clusterId,
      controllerId: snapshot.nodeId,
      brokers: [],
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
    if (endpointType !== ENDPOINT_BROKER) {
      out.errorCode =
        endpointType === ENDPOINT_CONTROLLER ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE;
      out.errorMessage =
        endpointType === ENDPOINT_CONTROLLER
          ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
          : `Unsupported endpoint type ${endpointType}`;
      out.controllerId = -1;
      return out;
    }
    const listeners = s.advertisedListeners();
    const listener = listeners.find((l) => l.name === ctx.listenerName) ?? listeners[0];
    out.brokers = [{ brokerId: snapshot.nodeId, host: listener.host || '127.0.0.1', port: listener.port, rack: null }];
    if (req.includeClusterAuthorizedOperations) out.clusterAuthorizedOperations = CLUSTER_OPERATIONS;
    return out;
  },
};
