/**
 * A server-sent events parser (the WHATWG event-stream format), fed text as it arrives from the
 * socket in chunks of any size. It returns the `data` of each complete event; comments, `event`,
 * `id` and `retry` fields are not used by Chat Completions and are skipped.
 */
export class SseParser {
  #buffer = "";
  #data: string[] = [];
  #sawCarriageReturn = false;

  /** Feeds a chunk; returns the data of every event the chunk completed. */
  feed(chunk: string): string[] {
    let text = chunk;
    // A "\r\n" split across two chunks must count as one line break, not two.
    if (this.#sawCarriageReturn && text.startsWith("\n")) text = text.slice(1);
    this.#sawCarriageReturn = text.endsWith("\r");
    this.#buffer += text;
    const events: string[] = [];
    let start = 0;
    for (let index = 0; index < this.#buffer.length; index++) {
      const char = this.#buffer[index];
      if (char !== "\n" && char !== "\r") continue;
      this.#line(this.#buffer.slice(start, index), events);
      if (char === "\r" && this.#buffer[index + 1] === "\n") index++;
      start = index + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  /** Flushes an event left open when the stream ended without its blank line. */
  end(): string[] {
    const events: string[] = [];
    if (this.#buffer !== "") this.#line(this.#buffer, events);
    this.#buffer = "";
    this.#line("", events);
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line === "") {
      // As the spec says, an event whose data is empty is not dispatched.
      const data = this.#data.join("\n");
      if (data !== "") events.push(data);
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== "data") return;
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.#data.push(value);
  }
}
