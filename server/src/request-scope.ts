import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

const VALID_REQUEST_ID = /^[\x21-\x7E]{1,128}$/;

/**
 * The one rule for request ids, on the way in and on the way out to neighbours: up to 128
 * visible ASCII characters pass unchanged; anything else (missing, too long, spaces,
 * control or non-ASCII characters) is replaced by a fresh uuid, so a hostile id can never
 * reach a log line or a neighbour's headers.
 */
export function requestIdOrNew(candidate: string | undefined): string {
  return candidate !== undefined && VALID_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/**
 * The request a piece of work belongs to, carried through its async calls, so an adapter
 * deep below a service can send the caller's `X-Request-ID` on to a neighbour without
 * every port method taking it as an argument.
 */
export class RequestScope {
  private readonly storage = new AsyncLocalStorage<{ requestId: string }>();

  run<T>(requestId: string, work: () => T): T {
    return this.storage.run({ requestId }, work);
  }

  /** The id of the request whose work is running, if any. */
  currentRequestId(): string | undefined {
    return this.storage.getStore()?.requestId;
  }
}
