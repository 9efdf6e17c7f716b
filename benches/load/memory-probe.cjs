// Memory probe for the broker benchmark (broker-memory.ts): preloaded into the broker process with
// NODE_OPTIONS="--require .../memory-probe.cjs" (a --require preload runs in every worker thread too; --import does
// not). Every 250 ms each thread samples its own V8 heap (v8.getHeapStatistics, new-space size) and, on the main
// thread, process.memoryUsage(); it keeps the maxima and writes them to
// $SLUICE_MEMORY_PROBE_DIR/<pid>-<threadId>.json once a second. CommonJS on purpose: the preload must be requirable.
'use strict';
const dir = process.env.SLUICE_MEMORY_PROBE_DIR;
if (dir) {
  const { writeFileSync } = require('node:fs');
  const v8 = require('node:v8');
  const { threadId, isMainThread } = require('node:worker_threads');
  const max = { thread: isMainThread ? 'main' : `worker-${threadId}`, samples: 0 };
  const keep = (name, value) => {
    if (!(max[name] >= value)) max[name] = value;
  };
  const MiB = 1024 * 1024;
  let ticks = 0;
  const sample = () => {
    const h = v8.getHeapStatistics();
    keep('heapTotalMiB', h.total_heap_size / MiB);
    keep('heapUsedMiB', h.used_heap_size / MiB);
    keep('mallocedMiB', h.malloced_memory / MiB);
    keep('externalMiB', h.external_memory / MiB);
    for (const s of v8.getHeapSpaceStatistics()) {
      if (s.space_name === 'new_space') keep('newSpaceMiB', s.space_size / MiB);
      if (s.space_name === 'large_object_space') keep('largeObjectMiB', s.space_size / MiB);
    }
    if (isMainThread) {
      const m = process.memoryUsage();
      keep('rssMiB', m.rss / MiB);
      keep('arrayBuffersMiB', m.arrayBuffers / MiB);
    }
    max.samples++;
    if (++ticks % 4 === 0) {
      try {
        writeFileSync(`${dir}/${process.pid}-${threadId}.json`, JSON.stringify(max));
      } catch {}
    }
  };
  setInterval(sample, 250).unref();
}
