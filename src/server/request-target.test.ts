import assert from "node:assert/strict";
import { test } from "node:test";
import { splitTarget } from "./request-target.ts";

test("splitTarget gives the path and query the URL parser gives, for plain targets and unusual ones", () => {
  const targets = [
    "/",
    "/v1/chat",
    "/v1/chat?stream=1&x=%20y",
    "/v1/sessions/abc_DEF-123",
    "/?",
    "/v1/../v1/chat",
    "/v1/./chat",
    "/v1/sessions/..",
    "/a%20b",
    "/a%2e%2e/b",
    "//double/slash",
    "/a\\b",
    "/a#fragment",
    "/a?b#c",
    "/a b",
    '/a"b<c>',
    "/v1/chat;x=1",
    "/~user/(x)!*$&'+,=:@",
    "http://example.com/v1/chat?x=1",
    "*",
  ];
  for (const target of targets) {
    const url = new URL(target, "http://localhost");
    assert.deepEqual(splitTarget(target), { path: url.pathname, search: url.search }, target);
  }
});
