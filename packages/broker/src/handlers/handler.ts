// The contract of one API's handler (one file per API, listed in handlers/index.ts). The router has decoded the
// request body for `apiVersion`; the handler returns the response body for the same version, or NO_RESPONSE
// (Produce acks=0). A handler dispatches all its partition work synchronously and awaits once (STYLE.md rule 3);
// errors go into Kafka error codes in the response; a throw is a bug and closes the connection.
import type { BrokerServices } from '../services.ts';

export const NO_RESPONSE: unique symbol = Symbol('no response');

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** The client's address as the socket reports it (group members' clientHost). */
  clientHost?: string;
  /** The listener the connection arrived on (upper-case name). */
  listenerName: string;
  services: BrokerServices;
  /** Runs `fn` once the response is encoded (or dropped): buffers the response borrowed can be reused then. */
  afterResponse(fn: () => void): void;
}

export interface Handler {
  apiKey: number;
  name: string;
  /** Advertised and accepted range; ApiVersions lists exactly these. */
  minVersion: number;
  maxVersion: number;
  handle(ctx: RequestContext, request: unknown): Promise<unknown> | unknown;
}
