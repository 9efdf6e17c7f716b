// InitProducerId (key 22) v0-5, flexible from v2. Kafka's TransactionCoordinator.handleInitProducerId rules:
//   transactionalId null (idempotent producer): a NEW producer id with epoch 0, always — Kafka "blindly accepts"
//     and ignores producerId/producerEpoch here. An idempotent client bumps its epoch itself (KIP-360, Java 2.5+:
//     on OUT_OF_ORDER_SEQUENCE_NUMBER it increments the epoch locally and restarts its sequences at 0; at epoch
//     32767 it asks for a new id). v3+ (KIP-360) with exactly one of producerId / producerEpoch set (the other -1)
//     -> INVALID_REQUEST, as KafkaApis checks before the coordinator.
//   transactionalId "" -> INVALID_REQUEST.
//   any other transactionalId -> the transaction coordinator of that id (transactions/txn-router.ts), which
//     bumps the epoch (fencing the previous holder) and checks transactionTimeoutMs.
// Producer ids come from producer-ids.ts (unique across restarts). transactionTimeoutMs is not checked (it only
// matters for transactions).
import type { InitProducerIdRequest, InitProducerIdResponse } from '@sluice/protocol';
import { ErrorCode } from '../error-codes.ts';
import type { Handler, RequestContext } from './handler.ts';

function answer(errorCode: number, producerId = -1n, producerEpoch = -1): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

export const initProducerIdHandler: Handler = {
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx: RequestContext, request: unknown): InitProducerIdResponse | Promise<InitProducerIdResponse> {
    const req = request as InitProducerIdRequest;
    if (ctx.apiVersion >= 3 && (req.producerId === -1n) !== (req.producerEpoch === -1)) {
      return answer(ErrorCode.INVALID_REQUEST);
    }
    if (req.transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) {
      return ctx.services.transactions.forTransaction(ctx, req.transactionalId, req) as Promise<InitProducerIdResponse>;
    }
    let producerId: number;
    try {
      producerId = ctx.services.producerIds.generateProducerId();
    } catch (err) {
      ctx.services.log(`InitProducerId: cannot persist a producer id block: ${(err as Error).message}`);
      return answer(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    return answer(ErrorCode.NONE, BigInt(producerId), 0);
  },
};
