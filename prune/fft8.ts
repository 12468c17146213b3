/**
 * Unrolled K = 8 transforms of the training engine's spectral conv (train-conv.ts), in the
 * conventions of spectral/fft2.ts, on the 34 *independent* positions of the 40-entry half plane.
 *
 * Position order p (POSITIONS[p] = layout index u*5+v):
 *   p 0..4   column v = 0, u = 0..4      p 5..9   column v = 4, u = 0..4
 *   p 10..33 columns v = 1..3, u = 0..7  (p = 10 + 8 (v-1) + u)
 * The other six entries, (u, v) with u = 5..7 in columns 0 and 4, are the conjugates of
 * (8-u, v) for a real signal; the complex-to-real inverse of spectral/fft2.ts depends on a
 * Hermitian spectrum only through these 34 (its convention reads only real parts in columns
 * 0 and 4), so nothing is lost. Spectra live in a strided array: position p of a transform
 * at `base` is at base + p * stride (re) and + 1 (im).
 */

export const K8 = 8;
/** independent half-plane positions for K = 8 */
export const P8 = 34;

const H = Math.SQRT1_2;

/** layout index (u * 5 + v) of each position p */
export const POSITIONS: Int32Array = (() => {
  const pos = new Int32Array(P8);
  for (let u = 0; u < 5; u++) {
    pos[u] = u * 5;
    pos[5 + u] = u * 5 + 4;
  }
  for (let v = 1; v <= 3; v++) for (let u = 0; u < 8; u++) pos[10 + 8 * (v - 1) + u] = u * 5 + v;
  return pos;
})();

/** column multiplicity m_v of each position (1 in columns 0 and 4, else 2) */
export const MULTIPLICITY: Float64Array = Float64Array.from(POSITIONS, (j) => (j % 5 === 0 || j % 5 === 4 ? 1 : 2));

/** For the layout entries (u, v), u = 5..7, v in {0, 4}: the position holding their conjugate; -1 otherwise. */
export const CONJUGATE_OF: Int32Array = (() => {
  const c = new Int32Array(40).fill(-1);
  for (let u = 5; u < 8; u++) {
    c[u * 5] = 8 - u;
    c[u * 5 + 4] = 5 + 8 - u;
  }
  return c;
})();

/** position of each layout index, -1 for the six conjugate entries */
export const POSITION_OF: Int32Array = (() => {
  const q = new Int32Array(40).fill(-1);
  POSITIONS.forEach((j, p) => (q[j] = p));
  return q;
})();

/**
 * Forward 2D DFT (unnormalised) of an 8 x 8 real block (row-major) whose rows >= nr are zero,
 * written to the 34 positions. `R` is scratch of 80 numbers.
 */
export function forward2d(src: Float64Array, nr: number, out: Float64Array, base: number, stride: number, R: Float64Array): void {
  // rows: real 8-point DFT, R[16 v + 2 r] (re), + 1 (im); columns 0 and 4 are real
  for (let r = 0; r < 8; r++) {
    const q = 2 * r;
    if (r >= nr) {
      R[q] = R[16 + q] = R[17 + q] = R[32 + q] = R[33 + q] = R[48 + q] = R[49 + q] = R[64 + q] = 0;
      continue;
    }
    const b = 8 * r;
    const x0 = src[b]!, x1 = src[b + 1]!, x2 = src[b + 2]!, x3 = src[b + 3]!;
    const x4 = src[b + 4]!, x5 = src[b + 5]!, x6 = src[b + 6]!, x7 = src[b + 7]!;
    const s0 = x0 + x4, d0 = x0 - x4, s2 = x2 + x6, d2 = x2 - x6;
    const s1 = x1 + x5, d1 = x1 - x5, s3 = x3 + x7, d3 = x3 - x7;
    const e0 = s0 + s2, o0 = s1 + s3;
    const a = H * (d1 - d3), c = H * (d1 + d3);
    R[q] = e0 + o0;
    R[64 + q] = e0 - o0;
    R[16 + q] = d0 + a;
    R[17 + q] = -d2 - c;
    R[32 + q] = s0 - s2;
    R[33 + q] = s3 - s1;
    R[48 + q] = d0 - a;
    R[49 + q] = d2 - c;
  }
  realColumn(R, 0, out, base, stride);
  realColumn(R, 64, out, base + 5 * stride, stride);
  for (let v = 1; v <= 3; v++) complexColumn(R, 16 * v, 2, out, base + (10 + 8 * (v - 1)) * stride, stride, -1);
}

/** Real 8-point DFT of R[off + 2 r], r = 0..7, to positions 0..4 (u = 0..4) at `base`. */
function realColumn(R: Float64Array, off: number, out: Float64Array, base: number, stride: number): void {
  const x0 = R[off]!, x1 = R[off + 2]!, x2 = R[off + 4]!, x3 = R[off + 6]!;
  const x4 = R[off + 8]!, x5 = R[off + 10]!, x6 = R[off + 12]!, x7 = R[off + 14]!;
  const s0 = x0 + x4, d0 = x0 - x4, s2 = x2 + x6, d2 = x2 - x6;
  const s1 = x1 + x5, d1 = x1 - x5, s3 = x3 + x7, d3 = x3 - x7;
  const e0 = s0 + s2, o0 = s1 + s3;
  const a = H * (d1 - d3), c = H * (d1 + d3);
  out[base] = e0 + o0;
  out[base + 1] = 0;
  let q = base + stride;
  out[q] = d0 + a;
  out[q + 1] = -d2 - c;
  q += stride;
  out[q] = s0 - s2;
  out[q + 1] = s3 - s1;
  q += stride;
  out[q] = d0 - a;
  out[q + 1] = d2 - c;
  q += stride;
  out[q] = e0 - o0;
  out[q + 1] = 0;
}

/**
 * Complex 8-point DFT, sign -1 (forward) or +1 (inverse), unnormalised, of the values at
 * src[off + r * inStride] (re), + 1 (im), r = 0..7; output u at out[base + u * stride].
 */
function complexColumn(src: Float64Array, off: number, inStride: number, out: Float64Array, base: number, stride: number, sign: 1 | -1): void {
  const q1 = off + inStride, q2 = q1 + inStride, q3 = q2 + inStride, q4 = q3 + inStride;
  const q5 = q4 + inStride, q6 = q5 + inStride, q7 = q6 + inStride;
  const z0r = src[off]!, z0i = src[off + 1]!, z1r = src[q1]!, z1i = src[q1 + 1]!;
  const z2r = src[q2]!, z2i = src[q2 + 1]!, z3r = src[q3]!, z3i = src[q3 + 1]!;
  const z4r = src[q4]!, z4i = src[q4 + 1]!, z5r = src[q5]!, z5i = src[q5 + 1]!;
  const z6r = src[q6]!, z6i = src[q6 + 1]!, z7r = src[q7]!, z7i = src[q7 + 1]!;
  // even half: 4-point DFT of z0, z2, z4, z6; odd half: of z1, z3, z5, z7
  const a0r = z0r + z4r, a0i = z0i + z4i, a1r = z0r - z4r, a1i = z0i - z4i;
  const a2r = z2r + z6r, a2i = z2i + z6i, a3r = z2r - z6r, a3i = z2i - z6i;
  const b0r = z1r + z5r, b0i = z1i + z5i, b1r = z1r - z5r, b1i = z1i - z5i;
  const b2r = z3r + z7r, b2i = z3i + z7i, b3r = z3r - z7r, b3i = z3i - z7i;
  // the 4-point twiddle is sign * j, and sign * j * (x + j y) = sign * (-y + j x)
  const e0r = a0r + a2r, e0i = a0i + a2i, e2r = a0r - a2r, e2i = a0i - a2i;
  const e1r = a1r - sign * a3i, e1i = a1i + sign * a3r, e3r = a1r + sign * a3i, e3i = a1i - sign * a3r;
  const o0r = b0r + b2r, o0i = b0i + b2i, o2r = b0r - b2r, o2i = b0i - b2i;
  const o1r = b1r - sign * b3i, o1i = b1i + sign * b3r, o3r = b1r + sign * b3i, o3i = b1i - sign * b3r;
  // twiddles w^k = exp(sign j pi k / 4) applied to the odd half
  const t1r = H * (o1r - sign * o1i), t1i = H * (o1i + sign * o1r);
  const t2r = -sign * o2i, t2i = sign * o2r;
  const t3r = -H * (o3r + sign * o3i), t3i = H * (sign * o3r - o3i);
  out[base] = e0r + o0r;
  out[base + 1] = e0i + o0i;
  out[base + 4 * stride] = e0r - o0r;
  out[base + 4 * stride + 1] = e0i - o0i;
  out[base + stride] = e1r + t1r;
  out[base + stride + 1] = e1i + t1i;
  out[base + 5 * stride] = e1r - t1r;
  out[base + 5 * stride + 1] = e1i - t1i;
  out[base + 2 * stride] = e2r + t2r;
  out[base + 2 * stride + 1] = e2i + t2i;
  out[base + 6 * stride] = e2r - t2r;
  out[base + 6 * stride + 1] = e2i - t2i;
  out[base + 3 * stride] = e3r + t3r;
  out[base + 3 * stride + 1] = e3i + t3i;
  out[base + 7 * stride] = e3r - t3r;
  out[base + 7 * stride + 1] = e3i - t3i;
}

/**
 * Complex-to-real 2D inverse (spectral/fft2.ts irfft2, including its 1/K^2) of the 34
 * positions at `base`: rows < nr of the 8 x 8 block are written to `block`. `G` is scratch of 80.
 */
export function inverse2d(spec: Float64Array, base: number, stride: number, nr: number, block: Float64Array, G: Float64Array): void {
  // columns: Hermitian -> real for v = 0 and 4 (G[2 r], G[64 + 2 r]); complex inverse for v = 1..3
  hermitianColumn(spec, base, stride, G, 0);
  hermitianColumn(spec, base + 5 * stride, stride, G, 64);
  for (let v = 1; v <= 3; v++) complexColumn(spec, base + (10 + 8 * (v - 1)) * stride, stride, G, 16 * v, 2, 1);
  const sc = 1 / 64;
  for (let r = 0; r < nr; r++) {
    const q = 2 * r;
    c2r8(G[q]!, G[16 + q]!, G[17 + q]!, G[32 + q]!, G[33 + q]!, G[48 + q]!, G[49 + q]!, G[64 + q]!, block, 8 * r, 1, sc);
  }
}

/** Real inverse of the Hermitian column given by its u = 0..4 entries at `base` (imaginary parts of u = 0, 4 ignored). */
function hermitianColumn(spec: Float64Array, base: number, stride: number, G: Float64Array, off: number): void {
  c2r8(
    spec[base]!,
    spec[base + stride]!,
    spec[base + stride + 1]!,
    spec[base + 2 * stride]!,
    spec[base + 2 * stride + 1]!,
    spec[base + 3 * stride]!,
    spec[base + 3 * stride + 1]!,
    spec[base + 4 * stride]!,
    G,
    off,
    2,
    1,
  );
}

/**
 * y[c] = sc * (a0 + (-1)^c a4 + 2 Re sum_{v=1..3} (a_v + j b_v) exp(+j pi v c / 4)), c = 0..7,
 * written to out[off + c * step]: the real inverse of a Hermitian 8-point spectrum.
 */
export function c2r8(a0: number, a1: number, b1: number, a2: number, b2: number, a3: number, b3: number, a4: number, out: Float64Array, off: number, step: number, sc: number): void {
  const p = a0 + a4, m = a0 - a4;
  const e = p + 2 * a2, f = p - 2 * a2;
  const s13 = 2 * (a1 + a3), db = 2 * (b3 - b1);
  const q1 = 2 * H * (a1 - a3), q2 = 2 * H * (b1 + b3), b = 2 * b2;
  out[off] = sc * (e + s13);
  out[off + step] = sc * (m + q1 - q2 - b);
  out[off + 2 * step] = sc * (f + db);
  out[off + 3 * step] = sc * (m - q1 - q2 + b);
  out[off + 4 * step] = sc * (e - s13);
  out[off + 5 * step] = sc * (m - q1 + q2 - b);
  out[off + 6 * step] = sc * (f - db);
  out[off + 7 * step] = sc * (m + q1 + q2 + b);
}
