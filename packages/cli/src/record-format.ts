// How `sluice consume` prints a record. Three formats:
//   value (default)  the value as UTF-8, one record a line (a null value prints as an empty line);
//   json             one JSON object a line: {"topic","partition","offset","timestamp","key","value","headers"}
//                    with offset/timestamp as numbers, key/value as UTF-8 strings or null, headers as
//                    [{"key","value"}] in record order;
//   a template       any other --format, kcat-style %-tokens (kcat -f), printed followed by a newline:
//                    %k key, %v value, %h headers as k=v joined by ",", %t topic, %p partition, %o offset,
//                    %T timestamp (ms since the epoch), %% a literal %; \t and \n escapes. Unknown %x stays as is.
export interface PrintableRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null | undefined;
  value: Buffer | null | undefined;
  headers: Array<[Buffer | null, Buffer | null]>;
}

const str = (b: Buffer | null | undefined) => (b == null ? null : b.toString('utf8'));

export function formatter(format: string): (r: PrintableRecord) => string {
  if (format === 'value') return (r) => `${str(r.value) ?? ''}\n`;
  if (format === 'json') {
    return (r) =>
      `${JSON.stringify({
        topic: r.topic,
        partition: r.partition,
        offset: Number(r.offset),
        timestamp: Number(r.timestamp),
        key: str(r.key),
        value: str(r.value),
        headers: r.headers.map(([k, v]) => ({ key: str(k), value: str(v) })),
      })}\n`;
  }
  const template = format.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  return (r) =>
    `${template.replace(/%([kvhtpoT%])/g, (_, c: string) => {
      switch (c) {
        case 'k':
          return str(r.key) ?? '';
        case 'v':
          return str(r.value) ?? '';
        case 'h':
          return r.headers.map(([k, v]) => `${str(k) ?? ''}=${str(v) ?? ''}`).join(',');
        case 't':
          return r.topic;
        case 'p':
          return String(r.partition);
        case 'o':
          return String(r.offset);
        case 'T':
          return String(r.timestamp);
        default:
          return '%';
      }
    })}\n`;
}
