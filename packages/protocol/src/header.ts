// Request/response headers and whole-frame entry points. A "frame body" is the bytes after the 4-byte size prefix.
// Header versions (Kafka's ApiKeys.requestHeaderVersion / responseHeaderVersion):
//   request:  v2 (v1 + tagged fields) when the API version is flexible, else v1; ControlledShutdown v0 -> v0.
//   response: v1 (correlation id + tagged fields) when flexible, else v0; ApiVersions responses are ALWAYS v0,
//             because a client reads them before it knows what the broker speaks (KIP-511).
// client_id keeps its int16 length even in header v2 (RequestHeader.json: flexibleVersions "none").
// Decoders return values (errors included) and never throw on bad input; encoders throw only on caller bugs.
import { apiMessageByKey } from './generated/api-messages.ts';
import {
  type RequestHeader,
  readRequestHeader,
  sizeOfRequestHeader,
  writeRequestHeader,
} from './generated/request-header.ts';
import { readResponseHeader, sizeOfResponseHeader, writeResponseHeader } from './generated/response-header.ts';
import { type Decoded, DecodeError, tryDecode } from './primitives/decode-error.ts';
import {
  type FrameParts,
  fileRecordsBytesCounted,
  PartsWriter,
  resetFileRecordsBytes,
} from './primitives/file-records.ts';
import { Reader } from './primitives/reader.ts';
import { UnsupportedVersionError, Writer } from './primitives/writer.ts';

const API_VERSIONS = 18;
const CONTROLLED_SHUTDOWN = 7;

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const api = apiMessageByKey(apiKey);
  if (api === undefined) throw new UnsupportedVersionError(`unknown API key ${apiKey}`);
  return api.flexibleMin !== null && apiVersion >= api.flexibleMin;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

export interface DecodedRequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  headerVersion: number;
  /** Offset in the frame body where the request body starts. */
  bodyOffset: number;
}

function supported(apiKey: number, apiVersion: number, pos: number): void {
  const api = apiMessageByKey(apiKey);
  if (api === undefined) throw new DecodeError(`unknown API key ${apiKey}`, pos);
  if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
    throw new DecodeError(`${api.name} v${apiVersion} is not supported`, pos);
  }
}

function readHeader(body: Buffer): { header: RequestHeader; headerVersion: number; r: Reader } {
  const r = new Reader(body);
  // api_key and api_version come first in every header version; peek them to pick the header version.
  r.need(4);
  const apiKey = body.readInt16BE(0);
  const apiVersion = body.readInt16BE(2);
  supported(apiKey, apiVersion, 0);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const header = readRequestHeader(r, headerVersion);
  return { header, headerVersion, r };
}

export function decodeRequestHeader(body: Buffer): Decoded<DecodedRequestHeader> {
  return tryDecode(() => {
    const { header, headerVersion, r } = readHeader(body);
    return {
      apiKey: header.requestApiKey,
      apiVersion: header.requestApiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      headerVersion,
      bodyOffset: r.pos,
    };
  });
}

export interface DecodedRequest {
  header: RequestHeader;
  apiKey: number;
  apiVersion: number;
  /** The request message (e.g. ProduceRequest), typed by apiKey. */
  body: unknown;
}

export function decodeRequest(body: Buffer): Decoded<DecodedRequest> {
  return tryDecode(() => {
    const { header, r } = readHeader(body);
    const api = apiMessageByKey(header.requestApiKey)!;
    const message = api.request.read(r, header.requestApiVersion);
    if (r.pos !== r.end) throw new DecodeError(`${r.end - r.pos} trailing bytes after the request`, r.pos);
    return { header, apiKey: header.requestApiKey, apiVersion: header.requestApiVersion, body: message };
  });
}

/** Encodes a whole request frame, WITH its 4-byte size prefix. Throws on caller bugs (unknown key, bad version). */
export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: unknown,
): Buffer {
  const api = apiMessageByKey(apiKey);
  if (api === undefined) throw new UnsupportedVersionError(`unknown API key ${apiKey}`);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const header: RequestHeader = {
    requestApiKey: apiKey,
    requestApiVersion: apiVersion,
    correlationId,
    clientId: headerVersion === 0 ? null : clientId,
    unknownTaggedFields: undefined,
  };
  const size = sizeOfRequestHeader(header, headerVersion) + api.request.sizeOf(body, apiVersion);
  const w = new Writer(4 + size);
  w.writeInt32(size);
  writeRequestHeader(w, header, headerVersion);
  api.request.write(w, body, apiVersion);
  return w.buf;
}

/** Encodes a whole response frame, WITH its 4-byte size prefix. */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: unknown): Buffer {
  const api = apiMessageByKey(apiKey);
  if (api === undefined) throw new UnsupportedVersionError(`unknown API key ${apiKey}`);
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  const header = { correlationId, unknownTaggedFields: undefined };
  const size = sizeOfResponseHeader(header, headerVersion) + api.response.sizeOf(body, apiVersion);
  const w = new Writer(4 + size);
  w.writeInt32(size);
  writeResponseHeader(w, header, headerVersion);
  api.response.write(w, body, apiVersion);
  return w.buf;
}

/**
 * encodeResponse for a body whose records fields may be file ranges (`recordsInFile`, primitives/file-records.ts):
 * the frame as parts [bytes, range, ..., bytes] with its total size, the ranges' bytes never copied; a plain Buffer,
 * exactly encodeResponse's, when no range has bytes (the common case costs one counter reset more).
 */
export function encodeResponseParts(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: unknown,
): Buffer | FrameParts {
  const api = apiMessageByKey(apiKey);
  if (api === undefined) throw new UnsupportedVersionError(`unknown API key ${apiKey}`);
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  const header = { correlationId, unknownTaggedFields: undefined };
  resetFileRecordsBytes();
  const size = sizeOfResponseHeader(header, headerVersion) + api.response.sizeOf(body, apiVersion);
  const inFiles = fileRecordsBytesCounted();
  const w = inFiles === 0 ? new Writer(4 + size) : new PartsWriter(4 + size - inFiles);
  w.writeInt32(size);
  writeResponseHeader(w, header, headerVersion);
  api.response.write(w, body, apiVersion);
  return inFiles === 0 ? w.buf : (w as PartsWriter).parts(4 + size);
}

export interface DecodedResponse {
  correlationId: number;
  /** The response message (e.g. ProduceResponse), typed by the request's apiKey. */
  body: unknown;
}

/** Decodes a response frame body (after the size prefix) for the request it answers. */
export function decodeResponse(apiKey: number, apiVersion: number, body: Buffer): Decoded<DecodedResponse> {
  return tryDecode(() => {
    supported(apiKey, apiVersion, 0);
    const api = apiMessageByKey(apiKey)!;
    const r = new Reader(body);
    const header = readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
    const message = api.response.read(r, apiVersion);
    if (r.pos !== r.end) throw new DecodeError(`${r.end - r.pos} trailing bytes after the response`, r.pos);
    return { correlationId: header.correlationId, body: message };
  });
}
