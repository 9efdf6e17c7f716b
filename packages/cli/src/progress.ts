// The progress line of `sluice perf`: on a terminal one line rewritten in place with a carriage return every
// second; otherwise (CI logs) a plain line every 5 seconds, as Kafka's perf tools print. Always on stderr, so
// stdout stays the result (and `--json` stays parseable).
export class Progress {
  readonly #tty = process.stderr.isTTY === true;
  readonly #every = this.#tty ? 1_000 : 5_000;
  readonly #timer: NodeJS.Timeout;
  #dirty = false;

  constructor(line: () => string) {
    this.#timer = setInterval(() => {
      const text = line();
      if (this.#tty) {
        process.stderr.write(`\r${text}\u001b[K`);
        this.#dirty = true;
      } else process.stderr.write(`${text}\n`);
    }, this.#every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    if (this.#dirty) process.stderr.write('\r\u001b[K');
  }
}
