// @sluice/broker: the single-node broker. Start one with Broker.start({ config }) (packages/config
// loadBrokerConfig); `sluice broker` (packages/cli) does that from the command line.
export { type BoundListener, Broker, type BrokerOptions } from './broker.ts';
export { ErrorCode } from './error-codes.ts';
export { type Handler, NO_RESPONSE, type RequestContext } from './handlers/handler.ts';
export { handlers } from './handlers/index.ts';
export { brokerLog, createLogger, type Logger, type LogLevel } from './logging/logger.ts';
export type { BrokerServices } from './services.ts';
