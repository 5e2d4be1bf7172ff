// The README's first example, run as a reader would run it (against the mock provider instead of
// OpenAI): it must print the first reply and then the streamed one, not nothing.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { startMockOpenAIServer } from "hearth/testing";
import { supportModel } from "../examples/support/support-model.ts";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;

test("the README's example prints the reply of its run and streams the reply of its runStream", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example !== undefined, "the README has its example");
  // Inside the package, so `hearth` resolves to it, as it does in an app that installed it.
  mkdirSync(join(root, ".hearth"), { recursive: true });
  const dir = mkdtempSync(join(root, ".hearth/readme-example-"));
  writeFileSync(join(dir, "example.ts"), example);
  const mock = await startMockOpenAIServer({ respond: supportModel });
  try {
    const { stdout } = await run(process.execPath, ["--conditions=@hearth/source", join(dir, "example.ts")], {
      env: { ...process.env, OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: "sk-readme" },
      timeout: 30_000,
    });
    const lines = stdout.trim().split("\n");
    assert.match(stdout, /source: 'support_agent'/, "the run's reply is printed");
    assert.match(lines.at(-1) ?? "", /could not find an order/, "the streamed reply is printed as it arrives");
    const streamed = mock.requests.filter((request) => request.body?.stream === true);
    assert.ok(streamed.length > 0, "the second run asked the provider to stream");
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
