import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../core/errors.ts";
import { mcpServer } from "./mcp-server.ts";
import { McpWorkbench } from "./mcp-workbench.ts";

const stdio = { command: "node", args: ["server.js"] };

function refused(build: () => unknown, field: string, says: RegExp) {
  assert.throws(build, (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.equal(error.field, field);
    assert.match(error.message, says);
    return true;
  });
}

test("McpWorkbench refuses an unknown option naming the nearest, and AutoGen's server_params with what to give instead", () => {
  refused(
    () => new McpWorkbench({ name: "fs", stdio, timeoutMS: 5_000 } as never),
    "timeoutMS",
    /Did you mean "timeoutMs"/,
  );
  refused(() => new McpWorkbench({ name: "fs", serverParams: stdio } as never), "serverParams", /stdio: \{ command/);
  refused(() => new McpWorkbench({ name: "fs", stdio, toolOverrides: {} } as never), "toolOverrides", /prefix/);
  assert.equal(new McpWorkbench({ name: "fs", stdio, prefix: "fs_", timeoutMs: 5_000 }).name, "fs");
});

test("mcpServer takes its own options beside the workbench's and refuses unknown ones before anything starts", () => {
  refused(() => mcpServer({ name: "fs", stdio, require: false } as never), "require", /Did you mean "required"/);
  refused(() => mcpServer({ name: "fs", serverParams: stdio } as never), "serverParams", /not supported/);
  const server = mcpServer({ name: "fs", stdio, required: false, warmupCalls: [{ tool: "list" }] });
  assert.equal(typeof server, "object");
});
