import { type ImageContent, type ImageLimits, imageFromUrl, type MultiModalContent } from "../core/images.ts";
import { invalid } from "./chat.ts";

/**
 * A part of a message as a route read it from its API's format: text, or an image's URL with the
 * request field that gave it (the field a bad image's 400 names).
 */
export type MessagePart = { readonly text: string } | { readonly imageUrl: unknown; readonly field: string };

/**
 * A message's parts as a multimodal task, checked as every route checks one: at most
 * `limits.maxImages` images, each a base64 `data:` URL or an http(s) URL within `limits`, the text
 * together at most `maxTextLength` characters (unlimited here when the route checks the text
 * itself), and an image or some text. Anything wrong is a 400 naming the field.
 */
export function checkedContent(
  parts: readonly MessagePart[],
  field: string,
  limits: ImageLimits,
  maxTextLength = Number.POSITIVE_INFINITY,
): MultiModalContent {
  let images = 0;
  let textLength = 0;
  const content = parts.map((part): string | ImageContent => {
    if ("text" in part) {
      textLength += part.text.length;
      if (textLength > maxTextLength) throw invalid(field, `must hold at most ${maxTextLength} characters of text`);
      return part.text;
    }
    images += 1;
    if (images > limits.maxImages) throw invalid(field, `may hold at most ${limits.maxImages} images`);
    return imageFromUrl(part.imageUrl, part.field, limits, invalid);
  });
  if (images === 0 && content.every((part) => typeof part === "string" && part.trim() === ""))
    throw invalid(field, "must hold an image or some text");
  return content;
}

/**
 * A message given as OpenAI's content parts (`{ type: "text", text }`, `{ type: "image_url",
 * image_url: { url } }`, the url an http(s) URL or a base64 `data:` URL) as a multimodal task. Each
 * part is checked against `limits`; anything wrong is a 400 naming the part's field.
 */
export function contentFromParts(
  value: readonly unknown[],
  field: string,
  limits: ImageLimits,
  maxTextLength: number,
): MultiModalContent {
  if (value.length === 0) throw invalid(field, "must be a non-empty string or array of content parts");
  const parts = value.map((part: unknown, index): MessagePart => {
    const at = `${field}[${index}]`;
    const { type, text, image_url: image } = (part ?? {}) as { type?: unknown; text?: unknown; image_url?: unknown };
    if (type === "text" && typeof text === "string") return { text };
    if (type !== "image_url")
      throw invalid(
        at,
        'must be a text part ({ type: "text", text }) or an image part ({ type: "image_url", image_url: { url } })',
      );
    const url = typeof image === "string" ? image : (image as { url?: unknown } | null | undefined)?.url;
    return { imageUrl: url, field: `${at}.image_url.url` };
  });
  return checkedContent(parts, field, limits, maxTextLength);
}
