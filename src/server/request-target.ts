// A request target that is a plain path (and query) needs no URL parser: nothing in it to normalise.
const plainTarget = /^\/[\w\-~!$&'()*+,;=:@/?.]*$/;

/** The path and the raw query (from its "?") of a request target, as the URL parser would give them. */
export function splitTarget(target: string): { readonly path: string; readonly search: string } {
  if (plainTarget.test(target) && !target.includes("/.") && !target.startsWith("//")) {
    const mark = target.indexOf("?");
    if (mark === -1) return { path: target, search: "" };
    return { path: target.slice(0, mark), search: mark === target.length - 1 ? "" : target.slice(mark) };
  }
  const url = new URL(target, "http://localhost");
  return { path: url.pathname, search: url.search };
}
