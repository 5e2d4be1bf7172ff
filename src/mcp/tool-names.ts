/**
 * Names a server's tools as providers accept them (letters, digits, `_` and `-`, at most 64), with
 * the server's `prefix` in front, each distinct: `fs.read/file` becomes `fs_read_file`, a second
 * tool that would be named the same gets `_2`. Returns hearth's name for each MCP name, in order.
 */
export function providerToolNames(mcpNames: readonly string[], prefix = ""): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const mcpName of mcpNames) {
    const base = `${prefix}${mcpName}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "tool";
    let name = base;
    for (let suffix = 2; taken.has(name); suffix++) name = `${base.slice(0, 64 - `_${suffix}`.length)}_${suffix}`;
    taken.add(name);
    names.set(mcpName, name);
  }
  return names;
}
