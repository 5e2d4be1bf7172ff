import { type ImageLimits, imageTypes, isImage, type Task } from "../../core/images.ts";
import { invalid } from "../chat.ts";
import { checkedContent, type MessagePart } from "../image-parts.ts";

// What a turn reads of the AI SDK's UI messages: text parts, and file parts that are images
// (`{ type: "file", mediaType, url, filename? }`, as `useChat` sends a page's attachments). Tool,
// reasoning, source, data and step parts are the page's own record, not input.

const imageList = [...imageTypes].join(", ");

/** An image hearth takes: one of its types, or the top-level `image` the AI SDK allows (the URL then tells which). */
function isImageType(mediaType: string): boolean {
  return imageTypes.has(mediaType) || mediaType === "image" || mediaType === "image/*";
}

function partsOf(message: Record<string, unknown>, field: string): unknown[] {
  if (!Array.isArray(message.parts)) throw invalid(`${field}.parts`, "must be an array");
  return message.parts;
}

/**
 * The last user message, the turn's task: its text, or, with file parts, its text and images in
 * order, checked as `/v1/chat` checks images (`limits`; a bad one is a 400 naming its part). A file
 * that is not an image is a 400 naming the part and its media type.
 */
export function uiMessageTask(message: Record<string, unknown>, field: string, limits: ImageLimits): Task {
  const parts: MessagePart[] = [];
  const files: { readonly at: string; readonly mediaType: string }[] = [];
  for (const [index, part] of partsOf(message, field).entries()) {
    const at = `${field}.parts[${index}]`;
    const { type, text, mediaType, url } = (part ?? {}) as Record<string, unknown>;
    if (type === "text" && typeof text === "string") parts.push({ text });
    else if (type === "file") {
      const media = typeof mediaType === "string" ? mediaType.toLowerCase() : "";
      if (!isImageType(media))
        throw invalid(
          `${at}.mediaType`,
          `is ${JSON.stringify(mediaType ?? null)}: a file part must be an image (${imageList}); other files are not taken`,
        );
      parts.push({ imageUrl: url, field: `${at}.url` });
      files.push({ at, mediaType: media });
    }
  }
  if (files.length === 0) return parts.map((part) => ("text" in part ? part.text : "")).join("\n");
  // The text's length is checked with the conversation's (taskOf), as a message without images.
  const content = checkedContent(parts, `${field}.parts`, limits);
  for (const [index, image] of content.filter(isImage).entries()) {
    const { at, mediaType } = files[index] as (typeof files)[number];
    if ("mimeType" in image && imageTypes.has(mediaType) && image.mimeType !== mediaType)
      throw invalid(`${at}.url`, `holds ${image.mimeType} data, but the part's mediaType is ${mediaType}`);
  }
  return content;
}

/**
 * An earlier message as text, for the history of a session hearth does not hold: its images as
 * `[image]` (as `multiModalText` shows one), other files left out. Nothing in it is checked: it is
 * not shown to the model as images, and a page keeps a message that was refused in the chats it
 * sends next.
 */
export function uiMessageText(message: Record<string, unknown>, field: string): string {
  const texts: string[] = [];
  for (const part of partsOf(message, field)) {
    const { type, text, mediaType } = (part ?? {}) as Record<string, unknown>;
    if (type === "text" && typeof text === "string") texts.push(text);
    else if (type === "file" && typeof mediaType === "string" && isImageType(mediaType.toLowerCase()))
      texts.push("[image]");
  }
  return texts.join("\n");
}
