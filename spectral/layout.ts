/**
 * The Hermitian half-plane ("rfft2") layout of a K x K spectrum of a real signal.
 *
 * Only columns v = 0..K/2 are stored: entry (u, v) with u in 0..K-1 lives at
 * index u * (K/2 + 1) + v, so a layout has K * (K/2 + 1) entries (40 for K = 8).
 * Complex arrays are interleaved Float64Array / number[]: [re0, im0, re1, im1, ...].
 */

/** Throws unless K is a power of two >= 2. */
export function checkFftSize(K: number): void {
  if (!Number.isInteger(K) || K < 2 || (K & (K - 1)) !== 0) {
    throw new Error(`FFT size K = ${K} is not a power of two >= 2`);
  }
}

/** Throws unless K is a power of two strictly greater than the (odd) kernel size k. */
export function checkKernelFits(K: number, k: number): void {
  checkFftSize(K);
  if (!Number.isInteger(k) || k < 1 || k % 2 !== 1) {
    throw new Error(`kernel size k = ${k} must be an odd positive integer`);
  }
  if (K <= k) {
    throw new Error(`FFT size K = ${K} must be greater than the kernel size k = ${k}`);
  }
}

/** Number of half-plane layout entries, K * (K/2 + 1). */
export function halfPlaneSize(K: number): number {
  return K * (K / 2 + 1);
}

/** Number of stored columns, K/2 + 1. */
export function halfCols(K: number): number {
  return K / 2 + 1;
}

export function layoutIndex(K: number, u: number, v: number): number {
  return u * (K / 2 + 1) + v;
}

export function layoutUV(K: number, index: number): [number, number] {
  const c = K / 2 + 1;
  return [Math.floor(index / c), index % c];
}

/**
 * For an entry in column v = 0 or v = K/2 the conjugate partner (-u mod K, v) is also in
 * the layout. Returns the partner's index (itself for the four self-conjugate entries
 * u in {0, K/2}), or -1 for entries in columns 1..K/2-1 (no partner stored).
 */
export function conjugatePartner(K: number, index: number): number {
  const [u, v] = layoutUV(K, index);
  if (v !== 0 && v !== K / 2) return -1;
  return layoutIndex(K, (K - u) % K, v);
}

/** Entries whose value must be real for a real signal: u, v in {0, K/2}. */
export function isSelfConjugate(K: number, index: number): boolean {
  return conjugatePartner(K, index) === index;
}

/** Number of layout entries kept at a given density: n = round(density * K * (K/2 + 1)). */
export function keptPerKernel(K: number, density: number): number {
  checkDensity(density);
  return Math.round(density * halfPlaneSize(K));
}

export function checkDensity(density: number): void {
  if (typeof density !== "number" || !Number.isFinite(density) || density <= 0 || density > 1) {
    throw new Error(`density = ${density} is outside (0, 1]`);
  }
}

/** Column multiplicity m_v: 1 for v = 0 and v = K/2, 2 for the other stored columns. */
export function columnMultiplicity(K: number, v: number): number {
  return v === 0 || v === K / 2 ? 1 : 2;
}
