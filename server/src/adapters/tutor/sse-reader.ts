/** One dispatched Server-Sent Event. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
  /** A comment line (`: …`, a common keep-alive), reported only when asked for; `data` is its text. */
  comment?: true;
}

/**
 * Parses a `text/event-stream` body as the HTML spec does: `field: value` lines, `data`
 * lines joined by "\n", comments (`:`) skipped, an event dispatched at each blank line
 * when it has data. Works on any chunking of the bytes. With `comments`, each comment line
 * is reported too, as a sign of life.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: { comments?: boolean } = {},
): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;

  function* lines(final: boolean): Generator<string> {
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      // A lone "\r" at the end may be the first half of "\r\n": wait for the next chunk.
      if (!match || (!final && match[0] === "\r" && match.index === buffer.length - 1)) break;
      yield buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
    }
  }

  function* take(final: boolean): Generator<SseMessage> {
    for (const line of lines(final)) {
      if (line === "") {
        if (data.length > 0) yield { event: event || "message", data: data.join("\n"), ...(id !== undefined ? { id } : {}) };
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) {
        if (options.comments) yield { event: "", data: line.slice(1).trimStart(), comment: true };
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id" && !value.includes("\0")) id = value;
    }
  }

  for await (const chunk of chunksOf(body)) {
    buffer += decoder.decode(chunk, { stream: true });
    yield* take(false);
  }
  buffer += decoder.decode();
  yield* take(true);
}

/** The bytes of a web stream; stopping early cancels it (the connection is released). */
async function* chunksOf(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in body) {
    yield* body;
    return;
  }
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
