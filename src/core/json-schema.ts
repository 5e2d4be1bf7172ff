/** A JSON Schema document (draft 2020-12 or draft 7), as plain data. */
export type JsonSchema = { readonly [key: string]: unknown };

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
