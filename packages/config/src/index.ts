// @sluice/config: Kafka's broker and topic configuration model. See each file's opening comment.
export * from './broker-config.ts';
export * from './broker-configs.ts';
export * from './config-def.ts';
export * from './config-source.ts';
export * from './properties.ts';
export * from './topic-config.ts';
export * from './topic-configs.ts';
