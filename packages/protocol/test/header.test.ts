// Header version rules and the frame-level entry points of src/header.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultApiVersionsResponse } from '../src/generated/api-versions-response.ts';
import { defaultMetadataRequest } from '../src/generated/metadata-request.ts';
import { defaultProduceResponse } from '../src/generated/produce-response.ts';
import {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../src/header.ts';

test('request header is v2 for flexible versions, v1 otherwise, v0 only for ControlledShutdown v0', () => {
  assert.equal(requestHeaderVersion(0, 8), 1);
  assert.equal(requestHeaderVersion(0, 9), 2);
  assert.equal(requestHeaderVersion(18, 3), 2);
  assert.equal(requestHeaderVersion(7, 0), 0);
  assert.equal(requestHeaderVersion(7, 1), 1);
});

test('response header is v1 for flexible versions except ApiVersions, always v0', () => {
  assert.equal(responseHeaderVersion(3, 8), 0);
  assert.equal(responseHeaderVersion(3, 9), 1);
  assert.equal(responseHeaderVersion(18, 3), 0);
  assert.equal(responseHeaderVersion(18, 4), 0);
});

test('an ApiVersions v3 response frame has no header tagged section', () => {
  const frame = encodeResponse(18, 3, 7, defaultApiVersionsResponse());
  // size, correlation id 7, then the body starts with error_code 0 (not a 0x00 tag count).
  assert.deepEqual(frame.subarray(0, 10), Buffer.from([0, 0, 0, frame.length - 4, 0, 0, 0, 7, 0, 0]));
  const back = decodeResponse(18, 3, frame.subarray(4));
  assert.ok(back.ok);
  assert.equal(back.value.correlationId, 7);
});

test('a flexible request keeps client_id with an int16 length and adds a header tagged section', () => {
  const frame = encodeRequest(3, 12, 42, 'abc', defaultMetadataRequest());
  const body = frame.subarray(4);
  assert.equal(frame.readInt32BE(0), body.length);
  assert.deepEqual(body.subarray(0, 14), Buffer.from([0, 3, 0, 12, 0, 0, 0, 42, 0, 3, 0x61, 0x62, 0x63, 0]));
  const header = decodeRequestHeader(body);
  assert.ok(header.ok);
  assert.deepEqual(header.value, {
    apiKey: 3,
    apiVersion: 12,
    correlationId: 42,
    clientId: 'abc',
    headerVersion: 2,
    bodyOffset: 14,
  });
  const request = decodeRequest(body);
  assert.ok(request.ok);
  assert.deepEqual(request.value.body, defaultMetadataRequest());
});

test('a null client id round-trips in header v1', () => {
  const frame = encodeRequest(3, 1, 1, null, { ...defaultMetadataRequest(), topics: null });
  const request = decodeRequest(frame.subarray(4));
  assert.ok(request.ok);
  assert.equal(request.value.header.clientId, null);
  assert.equal(request.value.body && (request.value.body as { topics: unknown }).topics, null);
});

test('unknown API keys, unsupported versions and trailing bytes are error values', () => {
  const ok = encodeRequest(3, 1, 1, 'c', defaultMetadataRequest()).subarray(4);
  const unknownKey = Buffer.from(ok);
  unknownKey.writeInt16BE(999, 0);
  assert.equal(decodeRequest(unknownKey).ok, false);
  const tooNew = Buffer.from(ok);
  tooNew.writeInt16BE(99, 2);
  assert.equal(decodeRequest(tooNew).ok, false);
  assert.equal(decodeRequestHeader(tooNew).ok, false);
  assert.equal(decodeRequest(Buffer.concat([ok, Buffer.from([0])])).ok, false);
  assert.equal(decodeRequest(Buffer.alloc(3)).ok, false);
  const response = encodeResponse(0, 9, 5, defaultProduceResponse()).subarray(4);
  assert.equal(decodeResponse(0, 9, Buffer.concat([response, Buffer.from([1])])).ok, false);
  assert.equal(decodeResponse(0, 99, response).ok, false);
});
