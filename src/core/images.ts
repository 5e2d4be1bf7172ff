import { type HearthError, UserError } from "./errors.ts";
import { type ChatMessage, chatMessageText } from "./messages.ts";
import type { ImagePart, TextPart } from "./model-client.ts";

/**
 * An image in a task (AutoGen's `Image` in a MultiModalMessage): by reference (an http(s) URL the
 * provider fetches; hearth never does) or inline (base64 `data` with its `mimeType`).
 */
export type ImageContent =
  | { readonly type: "image"; readonly url: string }
  | { readonly type: "image"; readonly data: string; readonly mimeType: string };

/** A multimodal task or message: text strings and images, in order (AutoGen's MultiModalMessage content). */
export type MultiModalContent = readonly (string | ImageContent)[];

/** What a run takes as its task: text, or text and images. */
export type Task = string | MultiModalContent;

export interface ImageLimits {
  /** Images in one task. Default 8. */
  readonly maxImages: number;
  /** Bytes of one inline image, decoded. Default 5 MiB (Anthropic's limit; OpenAI's is higher). */
  readonly maxImageBytes: number;
  /** Characters of an image's URL. Default 2048. */
  readonly maxImageUrlLength: number;
}

export const defaultImageLimits: ImageLimits = Object.freeze({
  maxImages: 8,
  maxImageBytes: 5 * 1024 * 1024,
  maxImageUrlLength: 2048,
});

/** The image types the providers hearth speaks to all take. */
export const imageTypes: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Makes the error for a bad part: a UserError for a run's `task`, a 400 naming the request's field over HTTP. */
export type InvalidPart = (field: string, why: string) => HearthError;

export const invalidTask: InvalidPart = (field, why) => new UserError(`\`${field}\` ${why}.`, { field });

/** Checks an image given by URL: http(s) within the length limit, or a `data:` URL read into inline data. */
export function imageFromUrl(url: unknown, field: string, limits: ImageLimits, invalid: InvalidPart): ImageContent {
  if (typeof url !== "string" || url === "") throw invalid(field, "must be an image URL (https: or data:)");
  if (url.startsWith("data:")) {
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (match === null) throw invalid(field, "must be a base64 data URL (data:image/png;base64,...)");
    return checkInline(match[2] as string, (match[1] as string).toLowerCase(), field, limits, invalid);
  }
  if (url.length > limits.maxImageUrlLength)
    throw invalid(field, `must be at most ${limits.maxImageUrlLength} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(field, "is not a URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw invalid(field, `must be an http(s) or a data: URL, not ${parsed.protocol}`);
  return { type: "image", url };
}

function checkInline(
  data: string,
  mimeType: string,
  field: string,
  limits: ImageLimits,
  invalid: InvalidPart,
): ImageContent {
  if (!imageTypes.has(mimeType))
    throw invalid(field, `must be a PNG, JPEG, GIF or WebP image, not ${JSON.stringify(mimeType.slice(0, 64))}`);
  // Decoded size from the length alone: a body near the limit is not decoded to be measured.
  const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
  if (bytes > limits.maxImageBytes) throw invalid(field, `must be at most ${limits.maxImageBytes} bytes decoded`);
  if (data === "" || data.length % 4 !== 0 || !base64.test(data)) throw invalid(field, "is not valid base64");
  return { type: "image", data, mimeType };
}

/**
 * Checks a multimodal task: strings and images (`{ type: "image", url }` or `{ type: "image", data,
 * mimeType }`), at least one thing that is not empty, within the limits. Returns it frozen.
 */
export function checkMultiModal(
  value: unknown,
  field: string,
  limits: ImageLimits = defaultImageLimits,
  invalid: InvalidPart = invalidTask,
): MultiModalContent {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid(field, "must be a string, or a non-empty array of strings and images");
  let images = 0;
  const content = value.map((part: unknown, index): string | ImageContent => {
    const at = `${field}[${index}]`;
    if (typeof part === "string") return part;
    const image = (part ?? {}) as Record<string, unknown>;
    if (image.type !== "image")
      throw invalid(at, 'must be a string or an image ({ type: "image", url } or { type: "image", data, mimeType })');
    images += 1;
    if (images > limits.maxImages) throw invalid(field, `may hold at most ${limits.maxImages} images`);
    if (image.data !== undefined) {
      if (typeof image.data !== "string" || typeof image.mimeType !== "string")
        throw invalid(at, "must give `data` (base64) with its `mimeType`");
      return Object.freeze(checkInline(image.data, image.mimeType.toLowerCase(), at, limits, invalid));
    }
    const url = image.url;
    if (typeof url === "string" && url.startsWith("data:"))
      throw invalid(`${at}.url`, "must be an http(s) URL: give an inline image as `data` and `mimeType`");
    return Object.freeze(imageFromUrl(url, `${at}.url`, limits, invalid));
  });
  if (!content.some((part) => typeof part !== "string" || part.trim() !== ""))
    throw invalid(field, "must hold an image or some text");
  return Object.freeze(content);
}

export function isImage(part: string | ImageContent): part is ImageContent {
  return typeof part !== "string";
}

/** The URL a model client sends for an image: its own, or a `data:` URL of its inline data. */
export function imageUrl(image: ImageContent): string {
  return "url" in image ? image.url : `data:${image.mimeType};base64,${image.data}`;
}

/** Multimodal content as a user message's parts (TextPart and ImagePart), empty text left out. */
export function modelParts(content: MultiModalContent): (TextPart | ImagePart)[] {
  const parts: (TextPart | ImagePart)[] = [];
  for (const part of content) {
    if (typeof part !== "string") parts.push({ type: "image", url: imageUrl(part) });
    else if (part !== "") parts.push({ type: "text", text: part });
  }
  return parts;
}

/** Multimodal content as text, for a reader that takes text only: each image as `[image]`. */
export function multiModalText(content: MultiModalContent): string {
  return content.map((part) => (typeof part === "string" ? part : "[image]")).join("\n");
}

/** What a model is shown of a chat message, as a user message's content: its text, or a multimodal message's parts. */
export function userContentOf(message: ChatMessage): string | (TextPart | ImagePart)[] {
  return message.type === "multi-modal" ? modelParts(message.content) : chatMessageText(message);
}

/** Whether the model must read images to take these messages. */
export function holdsImages(messages: readonly ChatMessage[]): boolean {
  return messages.some((message) => message.type === "multi-modal" && message.content.some(isImage));
}
