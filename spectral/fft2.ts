/**
 * Floating-point 2D real transforms in the half-plane layout (see layout.ts).
 *
 * For the small sizes used here (K <= 16) a direct DFT with precomputed tables that skips
 * the zero-padded rows/columns of a tile is faster in JS than a general FFT call per row,
 * so the operator uses these; test/spectral checks them against fft.js.
 *
 * Conventions (one place, used by the float operator, the fixed-point golden model and the RTL):
 *  - forward:  X[u][v] = sum_{r,c} x[r][c] exp(-2 pi j (u r + v c) / K), unnormalised, v = 0..K/2.
 *  - inverse (complex-to-real), numpy irfft2 style:
 *      1. column inverse over u for each stored column v:
 *           G[r][v] = (1/K) sum_u X[u][v] exp(+2 pi j u r / K)
 *      2. each row r rebuilds the full K-point row from the half spectrum with
 *           G[r][K-v] = conj(G[r][v]) for 1 <= v < K/2, and the imaginary parts of
 *           G[r][0] and G[r][K/2] taken as zero (ignored),
 *         then y[r][c] = (1/K) sum_{v=0}^{K-1} Gfull[r][v] exp(+2 pi j v c / K) (real).
 *     Equivalently y[r][c] = (1/K^2) sum_{u, v<=K/2} m_v Re(X[u][v] exp(+2 pi j (u r + v c)/K))
 *     with m_0 = m_{K/2} = 1 and m_v = 2 otherwise.
 */
import { checkFftSize, halfCols, halfPlaneSize } from "./layout";

export interface DftTables {
  readonly K: number;
  /** cos(2 pi t / K), t = 0..K-1 */
  readonly cos: Float64Array;
  /** sin(2 pi t / K), t = 0..K-1 */
  readonly sin: Float64Array;
}

const tableCache = new Map<number, DftTables>();

export function dftTables(K: number): DftTables {
  let t = tableCache.get(K);
  if (!t) {
    checkFftSize(K);
    const cos = new Float64Array(K);
    const sin = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      cos[i] = Math.cos((2 * Math.PI * i) / K);
      sin[i] = Math.sin((2 * Math.PI * i) / K);
    }
    // exact values where they are known, so that symmetric results stay exactly symmetric
    for (let i = 0; i < K; i++) {
      if ((4 * i) % K === 0) {
        const q = (4 * i) / K;
        cos[i] = [1, 0, -1, 0][q]!;
        sin[i] = [0, 1, 0, -1][q]!;
      }
    }
    t = { K, cos, sin };
    tableCache.set(K, t);
  }
  return t;
}


const revTables = new Map<number, Int32Array>();

/** Bit-reversal permutation of 0..K-1 (cached per K). */
export function bitReverse(K: number): Int32Array {
  let r = revTables.get(K);
  if (!r) {
    const bits = Math.log2(K);
    r = new Int32Array(K);
    for (let i = 0; i < K; i++) {
      let x = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) x |= 1 << (bits - 1 - b);
      r[i] = x;
    }
    revTables.set(K, r);
  }
  return r;
}

/**
 * In-place radix-2 complex FFT (unnormalised; sign -1 forward, +1 inverse) of K complex values
 * stored interleaved at buf[off + t*stride], buf[off + t*stride + 1], t = 0..K-1.
 */
export function fftStrided(K: number, buf: Float64Array, off: number, stride: number, sign: 1 | -1): void {
  const { cos, sin } = dftTables(K);
  const rev = bitReverse(K);
  for (let i = 0; i < K; i++) {
    const j = rev[i]!;
    if (j > i) {
      const a = off + i * stride;
      const b = off + j * stride;
      const tr = buf[a]!;
      const ti = buf[a + 1]!;
      buf[a] = buf[b]!;
      buf[a + 1] = buf[b + 1]!;
      buf[b] = tr;
      buf[b + 1] = ti;
    }
  }
  for (let size = 2; size <= K; size <<= 1) {
    const half = size >> 1;
    const step = K / size;
    for (let start = 0; start < K; start += size) {
      for (let i = 0; i < half; i++) {
        const t = i * step;
        const wr = cos[t]!;
        const wi = sign * sin[t]!;
        const a = off + (start + i) * stride;
        const b = a + half * stride;
        const br = buf[b]! * wr - buf[b + 1]! * wi;
        const bi = buf[b]! * wi + buf[b + 1]! * wr;
        const ar = buf[a]!;
        const ai = buf[a + 1]!;
        buf[a] = ar + br;
        buf[a + 1] = ai + bi;
        buf[b] = ar - br;
        buf[b + 1] = ai - bi;
      }
    }
  }
}

/**
 * Forward real 2D DFT of a K x K tile (row-major, `src` at offset `srcOff` with row stride
 * `stride`) of which only rows < nr and columns < nc are nonzero. Writes the half-plane
 * spectrum (interleaved complex, K*(K/2+1) entries) to `out`, scaled by `scale`.
 * `rowBuf` must hold 2 * K * (K/2+1) numbers.
 */
export function rfft2(
  K: number,
  src: ArrayLike<number>,
  srcOff: number,
  stride: number,
  nr: number,
  nc: number,
  out: Float64Array,
  rowBuf: Float64Array,
  scale = 1,
  colScale?: ArrayLike<number>,
): void {
  const { cos, sin } = dftTables(K);
  const C = halfCols(K);
  const mask = K - 1;
  // rows: R[r][v] = sum_c x[r][c] exp(-j 2 pi v c / K)
  for (let r = 0; r < nr; r++) {
    const base = srcOff + r * stride;
    for (let v = 0; v < C; v++) {
      let re = 0;
      let im = 0;
      for (let c = 0; c < nc; c++) {
        const x = src[base + c]!;
        const t = (v * c) & mask;
        re += x * cos[t]!;
        im -= x * sin[t]!;
      }
      rowBuf[2 * (r * C + v)] = re;
      rowBuf[2 * (r * C + v) + 1] = im;
    }
  }
  // columns: X[u][v] = sum_r R[r][v] exp(-j 2 pi u r / K), by FFT over u (rows >= nr are zero)
  for (let r = nr; r < K; r++) for (let v = 0; v < C; v++) rowBuf[2 * (r * C + v)] = rowBuf[2 * (r * C + v) + 1] = 0;
  for (let v = 0; v < C; v++) fftStrided(K, rowBuf, 2 * v, 2 * C, -1);
  void mask;
  for (let u = 0; u < K; u++) {
    for (let v = 0; v < C; v++) {
      const sc = colScale ? scale * colScale[v]! : scale;
      out[2 * (u * C + v)] = rowBuf[2 * (u * C + v)]! * sc;
      out[2 * (u * C + v) + 1] = rowBuf[2 * (u * C + v) + 1]! * sc;
    }
  }
}

/**
 * Complex-to-real inverse of a half-plane spectrum (convention in the file header), writing
 * the K x K real block to `out` (row-major, K columns). `colBuf` holds 2*K*(K/2+1) numbers.
 * Only rows < nr and columns < nc of the block are computed (the rest is left untouched).
 */
export function irfft2(
  K: number,
  spec: ArrayLike<number>,
  specOff: number,
  out: Float64Array,
  colBuf: Float64Array,
  nr = K,
  nc = K,
): void {
  const { cos, sin } = dftTables(K);
  const C = halfCols(K);
  const mask = K - 1;
  const invK = 1 / K;
  // columns: G[r][v] = (1/K) sum_u X[u][v] exp(+j 2 pi u r / K), by FFT over u
  for (let q = 0; q < 2 * K * C; q++) colBuf[q] = spec[specOff + q]! * invK;
  for (let v = 0; v < C; v++) fftStrided(K, colBuf, 2 * v, 2 * C, 1);
  // rows: y[r][c] = (1/K) sum_v m_v Re(G[r][v] exp(+j 2 pi v c / K))
  const half = K / 2;
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      let acc = colBuf[2 * (r * C)]!; // v = 0, imaginary part ignored
      acc += (c & 1 ? -1 : 1) * colBuf[2 * (r * C + half)]!; // v = K/2, imaginary part ignored
      let mid = 0;
      for (let v = 1; v < half; v++) {
        const t = (v * c) & mask;
        mid += colBuf[2 * (r * C + v)]! * cos[t]! - colBuf[2 * (r * C + v) + 1]! * sin[t]!;
      }
      out[r * K + c] = (acc + 2 * mid) * invK;
    }
  }
}

/** Allocates a scratch buffer big enough for rfft2 / irfft2. */
export function scratch(K: number): Float64Array {
  return new Float64Array(2 * halfPlaneSize(K));
}
