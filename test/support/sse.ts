// A Server-Sent Events parser over a fetch body stream (the text/event-stream format of the
// HTML standard: fields per line, events ended by a blank line, `data` lines joined by "\n").

/** One event as an EventSource would dispatch it. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Reads `body` to the end (or until `until` returns true) and returns every event in order. */
export async function readSse(body: ReadableStream<Uint8Array>, until?: (e: SseEvent) => boolean): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of sseEvents(body)) {
    out.push(e);
    if (until?.(e)) break;
  }
  return out;
}

/** The events of an SSE stream, as they arrive. Breaking out of the loop cancels the stream. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  // DOM and Node typings disagree on TextDecoderStream; the runtime object is the same.
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  let buf = "";
  let data: string[] = [];
  let event = "";
  let id: string | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith("\r\n", nl) ? 2 : 1));
        if (line === "") {
          if (data.length) yield { event: event || "message", data: data.join("\n"), ...(id !== undefined ? { id } : {}) };
          data = [];
          event = "";
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? "" : line.slice(colon + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        if (field === "data") data.push(val);
        else if (field === "event") event = val;
        else if (field === "id") id = val;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
