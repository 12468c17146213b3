/**
 * Fixed-point FFTs of the golden model: K-point radix-2 decimation in frequency, natural-order
 * input, log2(K) stages, 1/2 scaling in every butterfly (butterflyFixed), output in
 * bit-reversed order internally and returned in natural order.
 *
 *   forward:  out[k] ~= (1/K) sum_n x[n] exp(-2 pi j n k / K)            (DFT / K)
 *   inverse:  out[n] ~= (1/K) sum_k X[k] exp(+2 pi j n k / K)            (normalised IDFT)
 *
 * Stage s (s = 0..log2K-1) has half = K >> (s+1); for every block start j (step 2*half) and
 * i in 0..half-1 the pair (j+i, j+i+half) goes through a butterfly with twiddle W_K^(i * 2^s).
 */
import { bitReverse } from "../fft2";
import { checkFftSize, halfCols, halfPlaneSize } from "../layout";
import { fitsSigned, saturate, twiddleFixed } from "./primitives";

export interface FftFixedOpts {
  /** data word width in bits (signed) */
  readonly dataBits: number;
  /** twiddle fraction bits F (twiddles are signed F+2-bit words) */
  readonly twiddleFrac: number;
}

interface TwTable {
  re: Int32Array;
  im: Int32Array;
}
const twCache = new Map<string, TwTable>();

/** Twiddle table W_K^k, k = 0..K/2-1 (conjugated for the inverse). */
export function twiddleTable(K: number, F: number, inverse: boolean): TwTable {
  const key = `${K}/${F}/${inverse}`;
  let t = twCache.get(key);
  if (!t) {
    checkFftSize(K);
    const re = new Int32Array(K / 2);
    const im = new Int32Array(K / 2);
    for (let k = 0; k < K / 2; k++) [re[k], im[k]] = twiddleFixed(K, k, F, inverse);
    t = { re, im };
    twCache.set(key, t);
  }
  return t;
}

/** Bit-reversal permutation of 0..K-1: the float FFT's table, shared. */
export { bitReverse };

/**
 * In-place DIF FFT on re/im (length K, exact integers within dataBits), leaving the result in
 * bit-reversed order. Internal; fftFixed1d / ifftFixed1d return natural order.
 */
export function fftFixedInPlaceBitReversed(re: Int32Array | number[], im: Int32Array | number[], K: number, opts: FftFixedOpts, inverse: boolean): void {
  const tw = twiddleTable(K, opts.twiddleFrac, inverse);
  fftCore(re, im, K, tw.re, tw.im, opts.dataBits, opts.twiddleFrac);
}

/**
 * The DIF stages; each butterfly is exactly butterflyInto (primitives.ts), inlined here for
 * speed (test/spectral/fixed.test.ts checks the two agree).
 */
function fftCore(re: Int32Array | number[], im: Int32Array | number[], K: number, twRe: Int32Array, twIm: Int32Array, dataBits: number, F: number): void {
  const hi = 2 ** (dataBits - 1) - 1;
  const lo = -(2 ** (dataBits - 1));
  const p = 2 ** (F + 1);
  const h = p / 2;
  let stage = 0;
  for (let half = K >> 1; half >= 1; half >>= 1, stage++) {
    for (let j = 0; j < K; j += 2 * half) {
      for (let i = 0; i < half; i++) {
        const a = j + i;
        const b = a + half;
        const t = i << stage;
        const ar = re[a]!;
        const ai = im[a]!;
        const br = re[b]!;
        const bi = im[b]!;
        const wr = twRe[t]!;
        const wi = twIm[t]!;
        const sr = Math.floor((ar + br + 1) / 2);
        const si = Math.floor((ai + bi + 1) / 2);
        const dr = ar - br;
        const di = ai - bi;
        const pr = Math.floor((dr * wr - di * wi + h) / p);
        const pi = Math.floor((dr * wi + di * wr + h) / p);
        re[a] = sr > hi ? hi : sr < lo ? lo : sr;
        im[a] = si > hi ? hi : si < lo ? lo : si;
        re[b] = pr > hi ? hi : pr < lo ? lo : pr;
        im[b] = pi > hi ? hi : pi < lo ? lo : pi;
      }
    }
  }
}

function run1d(re: ArrayLike<number>, im: ArrayLike<number>, K: number, opts: FftFixedOpts, inverse: boolean): { re: number[]; im: number[] } {
  checkFftSize(K);
  if (re.length !== K || im.length !== K) throw new Error(`fftFixed1d: expected ${K} points, got ${re.length}/${im.length}`);
  for (let i = 0; i < K; i++) {
    if (!fitsSigned(re[i]!, opts.dataBits) || !fitsSigned(im[i]!, opts.dataBits)) {
      throw new Error(`fftFixed1d: input ${i} = (${re[i]}, ${im[i]}) is not a ${opts.dataBits}-bit signed integer`);
    }
  }
  const r = Array.from(re);
  const m = Array.from(im);
  fftFixedInPlaceBitReversed(r, m, K, opts, inverse);
  const rev = bitReverse(K);
  const oRe = new Array<number>(K);
  const oIm = new Array<number>(K);
  for (let i = 0; i < K; i++) {
    oRe[rev[i]!] = r[i]!;
    oIm[rev[i]!] = m[i]!;
  }
  return { re: oRe, im: oIm };
}

/** Forward K-point fixed-point FFT (DFT / K), natural order in and out. */
export function fftFixed1d(re: ArrayLike<number>, im: ArrayLike<number>, K: number, opts: FftFixedOpts): { re: number[]; im: number[] } {
  return run1d(re, im, K, opts, false);
}

/** Inverse K-point fixed-point FFT (normalised IDFT), natural order in and out. */
export function ifftFixed1d(re: ArrayLike<number>, im: ArrayLike<number>, K: number, opts: FftFixedOpts): { re: number[]; im: number[] } {
  return run1d(re, im, K, opts, true);
}

/**
 * Forward 2D transform of a real K x K tile (row-major integers within opts.dataBits):
 * FFT every row (imaginary input 0), keep v = 0..K/2, then FFT each of the K/2+1 columns
 * over u. Result: half-plane spectrum (interleaved re/im, index u*(K/2+1)+v) equal to
 * DFT2 / K^2 up to rounding.
 */
export function fft2dForwardFixed(tile: ArrayLike<number>, K: number, opts: FftFixedOpts, out?: Int32Array): Int32Array {
  const C = halfCols(K);
  const res = out ?? new Int32Array(2 * halfPlaneSize(K));
  const re = new Int32Array(K);
  const im = new Int32Array(K);
  const rev = bitReverse(K);
  const rows = new Int32Array(2 * K * C);
  const tw = twiddleTable(K, opts.twiddleFrac, false);
  const fft = (): void => fftCore(re, im, K, tw.re, tw.im, opts.dataBits, opts.twiddleFrac);
  for (let r = 0; r < K; r++) {
    let any = false;
    for (let c = 0; c < K; c++) {
      re[c] = tile[r * K + c]!;
      im[c] = 0;
      if (re[c] !== 0) any = true;
    }
    if (any) fft();
    // natural-order bin v is at bit-reversed position rev[v]; an all-zero row stays zero
    for (let v = 0; v < C; v++) {
      rows[2 * (r * C + v)] = any ? re[rev[v]!]! : 0;
      rows[2 * (r * C + v) + 1] = any ? im[rev[v]!]! : 0;
    }
  }
  for (let v = 0; v < C; v++) {
    for (let u = 0; u < K; u++) {
      re[u] = rows[2 * (u * C + v)]!;
      im[u] = rows[2 * (u * C + v) + 1]!;
    }
    fft();
    for (let u = 0; u < K; u++) {
      res[2 * (u * C + v)] = re[rev[u]!]!;
      res[2 * (u * C + v) + 1] = im[rev[u]!]!;
    }
  }
  return res;
}

/**
 * Inverse 2D complex-to-real transform of a half-plane spectrum (integers within
 * opts.dataBits): inverse FFT over u of each column v = 0..K/2, then for each row r rebuild
 * the full K-point row (G[K-v] = conj(G[v]) for 1 <= v < K/2, the conjugate's imaginary part
 * saturated to dataBits; imaginary parts of G[0] and G[K/2] replaced by 0). The row inverse
 * takes two real rows per complex FFT: rows A = r and B = r+1 (r even) are combined into
 * Z[v] = (saturate(A.re - B.im), saturate(A.im + B.re)) (= A + jB), one inverse FFT of Z gives
 * row r in its real part and row r+1 in its imaginary part (both rows are real, so this is
 * exact in real arithmetic; in fixed point it defines the rounding). Result: K x K row-major
 * block equal to the normalised IDFT2 up to rounding.
 */
export function ifft2dFixed(spec: ArrayLike<number>, K: number, opts: FftFixedOpts, out?: Int32Array): Int32Array {
  const C = halfCols(K);
  const half = K / 2;
  const res = out ?? new Int32Array(K * K);
  const re = new Int32Array(K);
  const im = new Int32Array(K);
  const rev = bitReverse(K);
  const cols = new Int32Array(2 * K * C);
  const tw = twiddleTable(K, opts.twiddleFrac, true);
  const ifft = (): void => fftCore(re, im, K, tw.re, tw.im, opts.dataBits, opts.twiddleFrac);
  for (let v = 0; v < C; v++) {
    for (let u = 0; u < K; u++) {
      re[u] = spec[2 * (u * C + v)]!;
      im[u] = spec[2 * (u * C + v) + 1]!;
    }
    ifft();
    for (let r = 0; r < K; r++) {
      cols[2 * (r * C + v)] = re[rev[r]!]!;
      cols[2 * (r * C + v) + 1] = im[rev[r]!]!;
    }
  }
  const hermitianRow = (r: number, hr: Int32Array, hi: Int32Array): void => {
    for (let v = 0; v <= half; v++) {
      hr[v] = cols[2 * (r * C + v)]!;
      hi[v] = v === 0 || v === half ? 0 : cols[2 * (r * C + v) + 1]!;
    }
    for (let v = 1; v < half; v++) {
      hr[K - v] = hr[v]!;
      hi[K - v] = saturate(-hi[v]!, opts.dataBits);
    }
  };
  const aRe = new Int32Array(K);
  const aIm = new Int32Array(K);
  const bRe = new Int32Array(K);
  const bIm = new Int32Array(K);
  for (let r = 0; r < K; r += 2) {
    hermitianRow(r, aRe, aIm);
    hermitianRow(r + 1, bRe, bIm);
    for (let v = 0; v < K; v++) {
      re[v] = saturate(aRe[v]! - bIm[v]!, opts.dataBits);
      im[v] = saturate(aIm[v]! + bRe[v]!, opts.dataBits);
    }
    ifft();
    for (let c = 0; c < K; c++) {
      res[r * K + c] = re[rev[c]!]!;
      res[(r + 1) * K + c] = im[rev[c]!]!;
    }
  }
  return res;
}
