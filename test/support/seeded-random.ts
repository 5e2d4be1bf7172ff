// A small seeded generator (mulberry32) for the fuzz tests, so a failing run can be replayed from its seed.
export function seededRandom(start: number) {
  let state = start >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const below = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: ArrayLike<T>): T => items[below(items.length)] as T;
  const from = (alphabet: string, length: number) => Array.from({ length }, () => pick(alphabet)).join("");
  return { next, below, pick, from };
}
