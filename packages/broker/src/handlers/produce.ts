// Produce (key 0) v0-11. acks 0 (no response at all), 1 and -1 (answered after the batches are fdatasync'd, unless
// sluice.ack.before.fsync; acks -1 waits at most timeoutMs, then REQUEST_TIMED_OUT); any other acks ->
// INVALID_REQUIRED_ACKS on every partition. v3+: exactly one batch per partition (produce-batch-shape.ts).
// v0-2 carry magic 0/1 message sets, up-converted here to one magic-2 batch; v3+ must carry magic 2 (else
// INVALID_RECORD). Per-partition
// errors: UNKNOWN_TOPIC_OR_PARTITION, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_RECORD,
// INVALID_TIMESTAMP (from storage's validation on the shard), with recordErrors (v8+) for record-level errors.
// Batches are copied once, into the shard's ring, straight from the request frame.
// Idempotence (storage's producer-state.ts, on the shard): OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH;
// a retried batch is answered with its original baseOffset and no error. Not yet: transactions (transactional
// batches are sequence-checked and appended as plain data).
import {
  ATTR_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  messageSetToRecordBatch,
  type ProduceRequest,
  type ProduceResponsePartitionProduceResponse,
  type ProduceResponseTopicProduceResponse,
  recordsMagic,
} from '@sluice/protocol';
import { ErrorCode, storageErrorForVersion } from '../error-codes.ts';
import type { AppendCompletion } from '../shard/shard-protocol.ts';
import { type Handler, NO_RESPONSE, type RequestContext } from './handler.ts';
import { checkProduceBatchShape } from './produce-batch-shape.ts';

const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };

function partitionResponse(index: number, errorCode: number, errorMessage: string | null = null) {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
    currentLeader: NO_LEADER,
  } as ProduceResponsePartitionProduceResponse;
}

const RECORD_LEVEL_ERRORS = new Set<number>([ErrorCode.INVALID_RECORD, ErrorCode.INVALID_TIMESTAMP]);

/** Whether any partition carries a magic-2 batch with the transactional attribute (bit 4), read from the header. */
function hasTransactionalBatch(req: ProduceRequest): boolean {
  for (const topic of req.topicData) {
    for (const pd of topic.partitionData) {
      const r = pd.records;
      if (r !== null && r.length > ATTRIBUTES_OFFSET + 1 && recordsMagic(r) === 2) {
        if ((r.readInt16BE(ATTRIBUTES_OFFSET) & ATTR_TRANSACTIONAL) !== 0) return true;
      }
    }
  }
  return false;
}

export const produceHandler: Handler = {
  apiKey: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 11,
  async handle(ctx: RequestContext, request: unknown) {
    const req = request as ProduceRequest;
    const s = ctx.services;
    // Transactional batches need the request's transactionalId (Kafka's KafkaApis.handleProduceRequest): without one
    // the whole request is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED and nothing is appended.
    if (req.transactionalId === null && hasTransactionalBatch(req)) {
      if (req.acks === 0) return NO_RESPONSE;
      return {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((pd) =>
            partitionResponse(pd.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
          ),
        })),
        throttleTimeMs: 0,
        nodeEndpoints: [],
      };
    }
    const snapshot = s.metadata();
    const acks = req.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const maxAppend = s.shards.maxAppendBytes;
    const responses: ProduceResponseTopicProduceResponse[] = [];
    const waits: Array<Promise<void>> = [];
    // Partitions whose append has not completed yet (emptied when timeoutMs expires).
    const unanswered = new Set<ProduceResponsePartitionProduceResponse>();
    // Dispatch every partition's append now (ring order = partition order), await once below.
    for (const topic of req.topicData) {
      const t = snapshot.topics.get(topic.name);
      const partitionResponses: ProduceResponsePartitionProduceResponse[] = [];
      responses.push({ name: topic.name, partitionResponses });
      for (const pd of topic.partitionData) {
        const out = partitionResponse(pd.index, ErrorCode.NONE);
        partitionResponses.push(out);
        if (!validAcks) {
          out.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
          continue;
        }
        const p = t?.partitions[pd.index];
        if (p === undefined || pd.index < 0) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        let records: Uint8Array | null = pd.records;
        if (records === null || records.length === 0) {
          out.errorCode = ErrorCode.INVALID_RECORD;
          out.errorMessage = 'no record batch';
          continue;
        }
        const magic = recordsMagic(records);
        if (magic !== 2) {
          if (ctx.apiVersion >= 3 || (magic !== 0 && magic !== 1)) {
            out.errorCode = ctx.apiVersion >= 3 ? ErrorCode.INVALID_RECORD : ErrorCode.CORRUPT_MESSAGE;
            out.errorMessage = `magic ${magic} is not allowed in Produce v${ctx.apiVersion}`;
            continue;
          }
          try {
            records = messageSetToRecordBatch(records);
          } catch (err) {
            out.errorCode = ErrorCode.CORRUPT_MESSAGE;
            out.errorMessage = (err as Error).message;
            continue;
          }
          if (records === null) {
            out.errorCode = ErrorCode.INVALID_RECORD;
            continue;
          }
        } else if (ctx.apiVersion >= 3) {
          const shape = checkProduceBatchShape(records, ctx.apiVersion);
          if (shape !== null) {
            out.errorCode = shape.errorCode;
            out.errorMessage = shape.errorMessage;
            continue;
          }
        }
        if (records.length > maxAppend) {
          out.errorCode = ErrorCode.MESSAGE_TOO_LARGE;
          out.errorMessage = `${records.length} bytes exceed the largest append (${maxAppend} bytes)`;
          continue;
        }
        const done = s.shards.shards[p.shard].append(p.partitionHandle, records, acks !== 0);
        s.metrics.onAppend(topic.name, records, acks !== 0, done);
        if (acks === 0) continue;
        unanswered.add(out);
        waits.push(
          done.then((c: AppendCompletion) => {
            if (!unanswered.delete(out)) return; // timed out and answered already
            out.errorCode = storageErrorForVersion(c.errorCode, ctx.apiVersion, 4);
            if (c.errorCode !== ErrorCode.NONE) {
              // The shard reports the partition's logStartOffset for record validation failures, -1 otherwise.
              out.logStartOffset = BigInt(c.logStartOffset);
              if (RECORD_LEVEL_ERRORS.has(c.errorCode) && ctx.apiVersion >= 8) {
                // A batch-level error (e.g. recordsCount != lastOffsetDelta + 1) blames no record: Kafka sends an empty list.
                out.recordErrors = c.recordErrors ?? [];
                out.errorMessage = c.errorMessage ?? null;
              }
              return;
            }
            out.baseOffset = BigInt(c.baseOffset);
            out.logAppendTimeMs = BigInt(c.logAppendTime);
            out.logStartOffset = BigInt(c.logStartOffset);
          }),
        );
      }
    }
    if (acks === 0) return NO_RESPONSE;
    if (acks === -1 && req.timeoutMs > 0 && unanswered.size > 0) {
      // timeoutMs bounds the wait for durability (Kafka's delayed produce): partitions not durable by then are
      // answered REQUEST_TIMED_OUT; their append itself may still complete, as in Kafka.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(waits),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, req.timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      for (const out of unanswered) out.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      unanswered.clear();
    } else await Promise.all(waits);
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  },
};
