/**
 * Balanced per-kernel projection onto "exactly n layout entries kept" (SPEC2.md section 2).
 *
 * Counting convention (written once, used by training, export and hardware): n counts entries
 * of the K*(K/2+1) half-plane layout, n = round(density * K*(K/2+1)) (10 of 40 for K=8 at 0.25).
 * Items of the per-kernel knapsack:
 *   - cost 1: every entry in columns 1..K/2-1 (complex, K*(K/2-1) of them), and the four
 *     self-conjugate entries (u, v) with u, v in {0, K/2} (real);
 *   - cost 2: the conjugate pairs {(u, v), (K-u, v)}, u = 1..K/2-1, in columns v = 0 and v = K/2
 *     (one parameter, kept or pruned together, both members stored in the ROM).
 * Value = kept energy, the sum of |W|^2 over the layout entries of the item. The exact optimum
 * with total cost exactly n: for every number q of pairs, take the best q pairs and the best
 * n - 2q cost-1 items (both greedy choices are optimal for fixed q), keep the best q.
 * Ties are broken by the lower layout index, so the projection is deterministic.
 */
import { conjugatePartner, halfPlaneSize, layoutUV } from "./layout";

interface Item {
  readonly idx: number[];
  readonly value: number;
}

const itemCache = new Map<number, { ones: number[][]; twos: number[][] }>();

function items(K: number): { ones: number[][]; twos: number[][] } {
  let it = itemCache.get(K);
  if (!it) {
    const L = halfPlaneSize(K);
    const ones: number[][] = [];
    const twos: number[][] = [];
    for (let j = 0; j < L; j++) {
      const p = conjugatePartner(K, j);
      if (p === -1 || p === j) ones.push([j]);
      else if (p > j) twos.push([j, p]);
    }
    it = { ones, twos };
    itemCache.set(K, it);
  }
  return it;
}

/**
 * Mask (1 = kept) of the best n-entry support for one kernel W (interleaved complex, L entries
 * starting at `off`), written to mask[maskOff .. maskOff+L).
 */
export function projectKernelMask(K: number, W: ArrayLike<number>, off: number, n: number, mask: Uint8Array, maskOff: number): void {
  const L = halfPlaneSize(K);
  if (!Number.isInteger(n) || n < 0 || n > L) throw new Error(`projection: n = ${n} outside 0..${L}`);
  const { ones, twos } = items(K);
  const energy = (j: number): number => W[off + 2 * j]! ** 2 + W[off + 2 * j + 1]! ** 2;
  const val = (idx: number[]): Item => ({ idx, value: idx.reduce((s, j) => s + energy(j), 0) });
  const byValue = (a: Item, b: Item): number => b.value - a.value || a.idx[0]! - b.idx[0]!;
  const o = ones.map(val).sort(byValue);
  const t = twos.map(val).sort(byValue);
  const prefO = [0];
  for (const x of o) prefO.push(prefO[prefO.length - 1]! + x.value);
  const prefT = [0];
  for (const x of t) prefT.push(prefT[prefT.length - 1]! + x.value);
  let bestQ = -1;
  let best = -Infinity;
  for (let q = 0; q <= t.length && 2 * q <= n; q++) {
    const r = n - 2 * q;
    if (r > o.length) continue;
    const v = prefT[q]! + prefO[r]!;
    if (v > best) {
      best = v;
      bestQ = q;
    }
  }
  if (bestQ < 0) throw new Error(`projection: no support of exactly ${n} entries for K = ${K}`);
  for (let j = 0; j < L; j++) mask[maskOff + j] = 0;
  for (let q = 0; q < bestQ; q++) for (const j of t[q]!.idx) mask[maskOff + j] = 1;
  for (let r = 0; r < n - 2 * bestQ; r++) for (const j of o[r]!.idx) mask[maskOff + j] = 1;
}

/** Masks for all kernels of a layer (W = [kernel][L] interleaved complex). */
export function projectLayerMask(K: number, W: ArrayLike<number>, kernels: number, n: number): Uint8Array {
  const L = halfPlaneSize(K);
  const mask = new Uint8Array(kernels * L);
  for (let q = 0; q < kernels; q++) projectKernelMask(K, W, q * 2 * L, n, mask, q * L);
  return mask;
}

/** out = W .* mask (complex entries). */
export function applyMask(W: Float64Array, mask: Uint8Array, out: Float64Array = W): Float64Array {
  for (let j = 0; j < mask.length; j++) {
    const m = mask[j]!;
    out[2 * j] = m ? W[2 * j]! : 0;
    out[2 * j + 1] = m ? W[2 * j + 1]! : 0;
  }
  return out;
}

/**
 * Enforces the Hermitian structure of a real kernel's half plane in place: in columns 0 and
 * K/2, W[(K-u) % K] = conj(W[u]) (averaged), self-conjugate entries real.
 */
export function symmetrize(K: number, W: Float64Array, kernels: number): void {
  const L = halfPlaneSize(K);
  for (let q = 0; q < kernels; q++) {
    const off = q * 2 * L;
    for (let j = 0; j < L; j++) {
      const p = conjugatePartner(K, j);
      if (p === -1 || p < j) continue;
      if (p === j) {
        W[off + 2 * j + 1] = 0;
        continue;
      }
      const re = (W[off + 2 * j]! + W[off + 2 * p]!) / 2;
      const im = (W[off + 2 * j + 1]! - W[off + 2 * p + 1]!) / 2;
      W[off + 2 * j] = re;
      W[off + 2 * p] = re;
      W[off + 2 * j + 1] = im;
      W[off + 2 * p + 1] = -im;
    }
  }
}

/** Counts kept layout entries per kernel. */
export function countPerKernel(mask: Uint8Array, L: number): number[] {
  const out: number[] = [];
  for (let q = 0; q < mask.length / L; q++) {
    let c = 0;
    for (let j = 0; j < L; j++) c += mask[q * L + j]!;
    out.push(c);
  }
  return out;
}

export { layoutUV };
