// FindCoordinator (key 10) v0-6. v0-3 ask for one `key` (keyType from v1; v0 is always a group); v4+ (KIP-699) ask
// for `coordinatorKeys` and get `coordinators[]` even for one key. Key type 0 (group): this node, once
// __consumer_offsets exists (created here on first use; COORDINATOR_NOT_AVAILABLE if that fails — clients retry).
// Key type 1 (transaction): this node, once __transaction_state exists (created here on first use, as
// __consumer_offsets). Other key types (2 share): INVALID_REQUEST.
import {
  defaultFindCoordinatorResponse,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

const GROUP = 0;
const TRANSACTION = 1;

interface Answer {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

/** The coordinator for keys of `keyType`: every group key maps to this node (one node owns every partition). */
async function coordinatorFor(ctx: RequestContext, keyType: number): Promise<Answer> {
  const none = (errorCode: number, errorMessage: string): Answer => ({
    errorCode,
    errorMessage,
    nodeId: -1,
    host: '',
    port: -1,
  });
  if (keyType !== GROUP && keyType !== TRANSACTION) {
    return none(ErrorCode.INVALID_REQUEST, `Unsupported key type ${keyType}`);
  }
  const s = ctx.services;
  const topic = keyType === GROUP ? await s.groups.ensureOffsetsTopic() : await s.transactions.ensureTxnTopic();
  if (topic === null) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  const listeners = s.advertisedListeners();
  const l = listeners.find((x) => x.name === ctx.listenerName) ?? listeners[0];
  const host = l.host || '127.0.0.1';
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: s.metadata().nodeId, host, port: l.port };
}

export const findCoordinatorHandler: Handler = {
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx: RequestContext, request: unknown): Promise<FindCoordinatorResponse> {
    const req = request as FindCoordinatorRequest;
    const keyType = ctx.apiVersion >= 1 ? req.keyType : GROUP;
    if (ctx.apiVersion >= 4) {
      const coordinators = await Promise.all(
        req.coordinatorKeys.map(async (key) => ({ key, ...(await coordinatorFor(ctx, keyType)) })),
      );
      return { ...defaultFindCoordinatorResponse(), coordinators };
    }
    const a = await coordinatorFor(ctx, keyType);
    const body = { ...defaultFindCoordinatorResponse(), ...a };
    // errorMessage exists from v1; v0 has only the code.
    if (ctx.apiVersion === 0 || a.errorCode === ErrorCode.NONE) body.errorMessage = null;
    return body;
  },
};
