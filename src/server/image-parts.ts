import { type ImageContent, type ImageLimits, imageFromUrl, type MultiModalContent } from "../core/images.ts";
import { invalid } from "./chat.ts";

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
  let images = 0;
  let textLength = 0;
  const content = value.map((part: unknown, index): string | ImageContent => {
    const at = `${field}[${index}]`;
    const { type, text, image_url: image } = (part ?? {}) as { type?: unknown; text?: unknown; image_url?: unknown };
    if (type === "text" && typeof text === "string") {
      textLength += text.length;
      if (textLength > maxTextLength) throw invalid(field, `must hold at most ${maxTextLength} characters of text`);
      return text;
    }
    if (type !== "image_url")
      throw invalid(
        at,
        'must be a text part ({ type: "text", text }) or an image part ({ type: "image_url", image_url: { url } })',
      );
    images += 1;
    if (images > limits.maxImages) throw invalid(field, `may hold at most ${limits.maxImages} images`);
    const url = typeof image === "string" ? image : (image as { url?: unknown } | null | undefined)?.url;
    return imageFromUrl(url, `${at}.image_url.url`, limits, invalid);
  });
  if (images === 0 && content.every((part) => typeof part === "string" && part.trim() === ""))
    throw invalid(field, "must hold an image or some text");
  return content;
}
