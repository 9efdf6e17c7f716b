// Producer ids for InitProducerId, unique across restarts (Kafka's ProducerIdManager: blocks of 1000 ids handed out
// by the controller). One node: the data directory's `producer-id-block` file holds the first id NOT yet handed out
// in any block, as ASCII decimal followed by "\n". Taking a block writes the block's end there (temp file, fsync,
// rename, directory fsync) BEFORE any id of the block is returned, so after a crash the next block starts past
// every id a client may hold; ids of a block unused at a crash are skipped, never reused.
// 1000 ids per block (Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE): one fsync per 1000 InitProducerId calls.
//
// Owner: main thread.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  readonly path: string;
  private readonly dataDir: string;
  private next = 0;
  private blockEnd = 0;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.path = `${dataDir}/${PRODUCER_ID_BLOCK_FILE}`;
    if (existsSync(this.path)) {
      const text = readFileSync(this.path, 'utf8').trim();
      const value = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
        throw new Error(`${this.path}: not a producer id block high-water mark: ${JSON.stringify(text)}`);
      }
      this.next = value;
      this.blockEnd = value;
    }
  }

  /** A producer id never handed out before by this data directory. Throws when the block cannot be persisted. */
  generateProducerId(): number {
    if (this.next >= this.blockEnd) this.allocateBlock();
    return this.next++;
  }

  private allocateBlock(): void {
    const end = this.next + PRODUCER_ID_BLOCK_SIZE;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${end}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dir = openSync(this.dataDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.blockEnd = end;
  }
}
