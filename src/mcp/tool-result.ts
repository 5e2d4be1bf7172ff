/** One item of an MCP tool result's `content`, as the protocol defines it (2025-06-18). */
export interface McpContent {
  readonly type: string;
  readonly text?: string;
  readonly data?: string;
  readonly mimeType?: string;
  readonly uri?: string;
  readonly name?: string;
  readonly resource?: {
    readonly uri?: string;
    readonly mimeType?: string;
    readonly text?: string;
    readonly blob?: string;
  };
}

export interface McpCallResult {
  readonly content?: readonly McpContent[];
  readonly structuredContent?: unknown;
  readonly isError?: boolean;
}

/** Bytes a base64 string stands for. */
function decodedBytes(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function describe(item: McpContent): string {
  switch (item.type) {
    case "text":
      return item.text ?? "";
    case "image":
    case "audio":
      return `[${item.type} ${item.mimeType ?? "of unknown type"}, ${decodedBytes(item.data ?? "")} bytes]`;
    case "resource": {
      const resource = item.resource ?? {};
      if (typeof resource.text === "string") return resource.text;
      const size = typeof resource.blob === "string" ? `, ${decodedBytes(resource.blob)} bytes` : "";
      return `[resource ${resource.uri ?? ""} (${resource.mimeType ?? "of unknown type"}${size})]`;
    }
    case "resource_link":
      return `[resource link ${item.uri ?? ""}${item.name === undefined ? "" : ` "${item.name}"`}]`;
    default:
      return `[${item.type} content]`;
  }
}

/**
 * A tool result as the model reads it: text items joined by newlines, images, audio and binary
 * resources described (type and size: a model that reads tool results as text cannot see them),
 * embedded text resources given in full; the structured content as JSON when there is no content.
 */
export function resultText(result: McpCallResult): string {
  const content = result.content ?? [];
  if (content.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return content.map(describe).join("\n");
}
