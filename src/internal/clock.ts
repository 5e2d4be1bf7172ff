let second = Number.NaN;
let prefix = "";

/**
 * The current time as ISO 8601 (`2026-11-24T10:49:17.466Z`), as `new Date().toISOString()` gives
 * it. V8 formats that with printf, about 0.4 µs a call, and a turn stamps several messages; here the
 * text up to the second is made once per second and the milliseconds are appended. Measured
 * against the plain call (2026-11-28, HttpApp.handle in one process, 40 blocks, two runs): the
 * fastest block 2.8 and 3.1 µs slower, the median 10 to 14 µs slower, without it.
 */
export function isoNow(): string {
  const now = Date.now();
  const whole = Math.floor(now / 1000);
  if (whole !== second) {
    second = whole;
    prefix = new Date(whole * 1000).toISOString().slice(0, 20);
  }
  const ms = now - whole * 1000;
  return `${prefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}
