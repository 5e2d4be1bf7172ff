import type { ToolCall, ToolResult } from "../../core/messages.ts";

/**
 * AutoGen's `tool_call_summary_format`: one line per call, with `{tool_name}`, `{arguments}`,
 * `{result}` and `{is_error}` replaced. The default, "{result}", returns the results as they are.
 */
export function summarizeToolCalls(format: string, calls: readonly ToolCall[], results: readonly ToolResult[]): string {
  return results
    .map((result) => {
      const call = calls.find((candidate) => candidate.id === result.callId);
      const values: Record<string, string> = {
        tool_name: result.name,
        arguments: call?.arguments ?? "",
        result: result.content,
        is_error: String(result.isError),
      };
      return format.replace(/\{(tool_name|arguments|result|is_error)\}/g, (_, key: string) => values[key] ?? "");
    })
    .join("\n");
}
