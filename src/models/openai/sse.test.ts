import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { SseParser } from "./sse.ts";

const recorded = readFileSync(new URL("./fixtures/stream-text.sse", import.meta.url), "utf8");

function parseInPieces(text: string, size: number): string[] {
  const parser = new SseParser();
  const events: string[] = [];
  for (let start = 0; start < text.length; start += size) events.push(...parser.feed(text.slice(start, start + size)));
  events.push(...parser.end());
  return events;
}

test("a recorded stream yields the same events whatever the chunk size", () => {
  const whole = parseInPieces(recorded, recorded.length);
  assert.equal(whole.length, 7);
  assert.equal(whole.at(-1), "[DONE]");
  for (const size of [1, 2, 3, 7, 64, 500])
    assert.deepEqual(parseInPieces(recorded, size), whole, `chunk size ${size}`);
});

test("CRLF and CR line endings, even split between chunks, end lines once", () => {
  const crlf = recorded.replaceAll("\n", "\r\n");
  for (const size of [1, 2, 5]) assert.deepEqual(parseInPieces(crlf, size), parseInPieces(recorded, 1000));
  assert.deepEqual(parseInPieces("data: a\r\rdata: b\r\r", 1), ["a", "b"]);
});

test("comments, other fields, multi-line and empty data follow the event-stream rules", () => {
  const text = ": keep-alive\n\nevent: message\nid: 4\ndata: first\ndata:second\nretry: 10\n\ndata\n\ndata: last\n\n";
  assert.deepEqual(parseInPieces(text, 3), ["first\nsecond", "last"]);
});

test("an event left open when the stream ends is flushed by end()", () => {
  const parser = new SseParser();
  assert.deepEqual(parser.feed('data: {"a":1}'), []);
  assert.deepEqual(parser.end(), ['{"a":1}']);
});
