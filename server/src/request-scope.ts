import { AsyncLocalStorage } from "node:async_hooks";

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
