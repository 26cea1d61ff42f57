// The one seeded random generator (mulberry32, Box–Muller normals, seeded arrays, shuffles): every seeded stage draws from here.

/**
 * A uniform [0, 1) generator from a 32-bit seed (mulberry32: nearby seeds give unrelated streams).
 * Every seeded stream of edge-prune starts here; its sequence is fixed (plans, history files and
 * test fixtures depend on it).
 */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of a string (offset basis xor `seed`), to derive per-item seeds. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The Box–Muller transform of u1 ∈ (0, 1] and u2 ∈ [0, 1): two independent standard normals (cosine, sine). */
export function boxMuller(u1: number, u2: number): [number, number] {
  const r = Math.sqrt(-2 * Math.log(u1));
  return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
}

/** One standard normal from two uniforms (Box–Muller, cosine branch; u1 floored at 1e-12). */
export function normalSample(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return boxMuller(u, random())[0];
}

/**
 * A standard-normal generator that uses both Box–Muller branches: each pair of uniforms (u1, u2)
 * gives the cosine value (with 1 − u1, never 0) and then the sine value. Half the uniform draws of
 * `normalSample`; the test fixtures' weights are drawn this way.
 */
export function createNormal(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u1 = 1 - random();
    const [cos, sin] = boxMuller(u1, random());
    spare = sin;
    return cos;
  };
}

/** `size` seeded uniform values in [lo, hi), as float32. */
export function uniformArray(size: number, seed: number, lo = 0, hi = 1): Float32Array {
  const next = createRandom(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** `size` seeded standard-normal values (`normalSample` on `createRandom(seed)`), as float32. */
export function normalArray(size: number, seed: number): Float32Array {
  const next = createRandom(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = normalSample(next);
  return out;
}

/** Shuffle `items` in place and return them (Fisher–Yates from the last index down, j = ⌊u·(i+1)⌋). */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
  return items;
}

/** A seeded permutation of 0..n−1 (`shuffleInPlace` of 0, 1, …, n−1). */
export function shuffledOrder(n: number, random: () => number): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), random);
}
