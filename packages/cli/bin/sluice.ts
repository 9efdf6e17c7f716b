#!/usr/bin/env -S node --max-semi-space-size=16
// The `sluice` command: `sluice broker` runs a broker; every other command is a client of any Kafka-compatible
// cluster over the Kafka protocol (@platformatic/kafka): topics, produce, consume, groups, configs, perf, cluster
// info, api-versions. Global options (before or after the command): --bootstrap-server host:port[,...] (env
// SLUICE_BOOTSTRAP_SERVER, default 127.0.0.1:9092) and --command-config FILE (client properties, src/client.ts).
// Exit codes are listed in src/errors.ts (0 ok, 1 Kafka error, 2 usage, 3 unreachable, 4 unsupported, 5 not found,
// 130 interrupted); `--help` works on every command.
import { enableCompileCache } from 'node:module';

// Every command loads @platformatic/kafka, which compiles its validators at load (~0.2 s); Node's on-disk compile
// cache (in the OS temp directory) takes ~0.1 s of CPU off each later start. Imported after, so it applies.
enableCompileCache();
await import('../src/main.ts');
