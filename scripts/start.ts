// `npm start`: starts a broker on 127.0.0.1:9092 with its data in ./data, in the foreground.
// The broker (packages/broker, `sluice broker`) is not part of this build yet: say so plainly rather than pretend.
console.error(
  'sluice: the broker is not built yet — this build has the protocol codec, storage engine and rings it will run on.',
);
process.exit(1);
