// @sluice/testkit: real Apache Kafka as the reference broker, a recording proxy, and real client runners, for
// differential tests, client matrix tests, golden-frame capture and benchmarks. Test support only; never shipped.
export { type RunOptions, type RunResult, runProcess, terminate, trackChild } from './child-process.ts';
export {
  CONFLUENT_PYTHON_CODECS,
  confluentPythonAvailable,
  pythonBin,
  runConfluentPythonScenario,
} from './clients/confluent-python.ts';
export { FRANZ_GO_CODECS, type FranzGoScenarioOptions, runFranzGoScenario } from './clients/franz-go.ts';
export { JAVA_CODECS, type JavaScenarioOptions, runJavaScenario } from './clients/java.ts';
export { KAFKAJS_CODECS, runKafkaJsScenario } from './clients/kafkajs.ts';
export { KCAT_CODECS, kcatBin, runKcatScenario } from './clients/kcat.ts';
export { PLATFORMATIC_CODECS, runPlatformaticScenario } from './clients/platformatic.ts';
export { freePort } from './free-port.ts';
export { type KafkaReference, kafkaVersion, type StartKafkaOptions, startKafka } from './kafka-reference.ts';
export { franzClientBin, javaBin, kafkaAvailable, repoRoot } from './paths.ts';
export {
  type RecordedFrame,
  type RecordingProxy,
  type RecordingProxyOptions,
  startRecordingProxy,
} from './recording-proxy.ts';
export {
  ALL_CODECS,
  CONFIGS_ALTERED_RETENTION_MS,
  type Codec,
  type ExpectedRecord,
  expectedRecords,
  type ScenarioOptions,
  type ScenarioRecord,
  type ScenarioResult,
  scenarioValue,
  VALUE_PADDING,
} from './scenario.ts';
export { skipUnlessInstalled } from './skip-unless-installed.ts';
