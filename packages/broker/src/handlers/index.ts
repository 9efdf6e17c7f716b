// Every API the broker serves: the router dispatches by this list and ApiVersions advertises exactly it, so an API
// is advertised only when its handler exists (ARCHITECTURE.md §5). To add an API: one file in this directory
// exporting a Handler, one line here.
import { apiVersionsHandler } from './api-versions.ts';
import { createTopicsHandler } from './create-topics.ts';
import { deleteTopicsHandler } from './delete-topics.ts';
import { fetchHandler } from './fetch.ts';
import type { Handler } from './handler.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { produceHandler } from './produce.ts';

export const handlers: Handler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
];

/** The handlers by API key (the router's table). */
export function handlerTable(list: readonly Handler[] = handlers): Map<number, Handler> {
  return new Map(list.map((h) => [h.apiKey, h]));
}
