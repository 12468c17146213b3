/**
 * The fixed-point golden model of one spectral convolution layer (SPEC2.md sections 1 and 4),
 * built from the primitives in primitives.ts and fft.ts. This is the specification the RTL
 * must match bit for bit; spectral/README.md documents every format in one place.
 *
 * Per tile (same tiling as the float operator, spectral/conv.ts):
 *   1. tile_i: T x T window of the padded input (16-bit words, frac inFrac), zero-padded to K x K
 *   2. X[i] = fft2dForwardFixed(tile_i)                       16-bit, = DFT2/K^2 * 2^inFrac
 *   3. acc[o][idx] = sum_i sum_{entries (idx, wr, wi) of kernel (o,i)} X[i][idx] * (wr + j wi)
 *      exact products (16 x 16 -> 31 bits), exact sum; accBits (48) never overflow for cin < 2^16
 *   4. s[o][idx] = macToIfftInput(acc, macShift, ifftBits), macShift = inFrac + weightFrac - 2 log2 K - outFrac
 *   5. block[o] = ifft2dFixed(s[o])                           ifftBits-bit words, = IDFT2 * 2^outFrac
 *   6. overlap-add the blocks at stride T (exact integer sums), crop as the float operator
 *   7. out = outputStage(z, bias, relu, actBits)
 */
import { makePlan, type ConvPlan, type ConvShape } from "../conv";
import { fft2dForwardFixed, ifft2dFixed } from "./fft";
import { roundShift, saturate, fitsSigned } from "./primitives";

/** One stored sparse weight: half-plane index and the 16-bit complex value. */
export interface SparseEntry {
  readonly index: number;
  readonly re: number;
  readonly im: number;
}

/** Fixed-point formats of one layer (all integers; "frac" = fraction bits). */
export interface FixedFormats {
  /** activation word width (input and output), 16 */
  readonly actBits: number;
  /** fraction bits of the input activations */
  readonly inFrac: number;
  /** fraction bits of the output activations (and of the bias) */
  readonly outFrac: number;
  /** spectral weight word width (re and im each), 16 */
  readonly weightBits: number;
  /** fraction bits of the spectral weights */
  readonly weightFrac: number;
  /** twiddle fraction bits F (twiddles are F+2 bits wide), 14 */
  readonly twiddleFrac: number;
  /** forward FFT data width, = actBits (16) */
  readonly fftBits: number;
  /** inverse FFT data width, actBits + 2 log2 K (22 for K = 8) */
  readonly ifftBits: number;
  /** complex accumulator width (re and im each), 48 */
  readonly accBits: number;
}

/** Default formats for FFT size K given the three per-layer fraction-bit counts. */
export function defaultFormats(K: number, inFrac: number, weightFrac: number, outFrac: number): FixedFormats {
  return {
    actBits: 16,
    inFrac,
    outFrac,
    weightBits: 16,
    weightFrac,
    twiddleFrac: 14,
    fftBits: 16,
    ifftBits: 16 + 2 * Math.log2(K),
    accBits: 48,
  };
}

/** Right shift applied between the accumulator and the IFFT input (negative = left shift). */
export function macShift(K: number, f: FixedFormats): number {
  return f.inFrac + f.weightFrac - 2 * Math.log2(K) - f.outFrac;
}

/** acc += x * w (complex), exact. Returns the new [re, im]. */
export function complexMacFixed(accRe: number, accIm: number, xr: number, xi: number, wr: number, wi: number): [number, number] {
  return [accRe + (xr * wr - xi * wi), accIm + (xr * wi + xi * wr)];
}

/** Accumulator word -> IFFT input word: roundShift by `shift` (or exact left shift if shift < 0), then saturate to ifftBits. */
export function macToIfftInput(acc: number, shift: number, ifftBits: number): number {
  const v = shift > 0 ? roundShift(acc, shift) : acc * 2 ** -shift;
  return saturate(v, ifftBits);
}

/** Output word: z + bias, ReLU if enabled, saturate to actBits. */
export function outputStage(z: number, bias: number, relu: boolean, actBits: number): number {
  let v = z + bias;
  if (relu && v < 0) v = 0;
  return saturate(v, actBits);
}

export interface FixedLayer extends ConvShape {
  readonly relu: boolean;
  readonly formats: FixedFormats;
  /** kernels[o * cin + i] = the stored sparse entries of kernel (o, i) */
  readonly kernels: readonly (readonly SparseEntry[])[];
  /** bias words (actBits, frac outFrac), one per output channel */
  readonly bias: readonly number[];
}

function checkLayer(layer: FixedLayer, pl: ConvPlan): void {
  const f = layer.formats;
  if (layer.kernels.length !== layer.cout * layer.cin) throw new Error(`golden layer: expected ${layer.cout * layer.cin} kernels, got ${layer.kernels.length}`);
  if (layer.bias.length !== layer.cout) throw new Error(`golden layer: expected ${layer.cout} biases, got ${layer.bias.length}`);
  if (layer.cin >= 2 ** 16 || f.accBits < 48) throw new Error("golden layer: the 48-bit accumulator bound needs cin < 2^16");
  layer.kernels.forEach((ks, q) =>
    ks.forEach((e, j) => {
      if (!Number.isInteger(e.index) || e.index < 0 || e.index >= pl.L) throw new Error(`golden layer: kernel ${q} entry ${j} index ${e.index} outside 0..${pl.L - 1}`);
      if (!fitsSigned(e.re, f.weightBits) || !fitsSigned(e.im, f.weightBits)) throw new Error(`golden layer: kernel ${q} entry ${j} value (${e.re}, ${e.im}) not ${f.weightBits}-bit`);
    }),
  );
  layer.bias.forEach((b, o) => {
    if (!fitsSigned(b, f.actBits)) throw new Error(`golden layer: bias ${o} = ${b} not ${f.actBits}-bit`);
  });
}

/** Intermediate values of one tile, for stage-by-stage comparison with the RTL. */
export interface TileTrace {
  readonly ty: number;
  readonly tx: number;
  /** K x K input tile per input channel (step 1) */
  readonly tiles: Int32Array[];
  /** forward spectra per input channel, interleaved half plane (step 2) */
  readonly X: Int32Array[];
  /** accumulators per output channel, interleaved re/im per layout index (step 3) */
  readonly acc: Float64Array[];
  /** IFFT input words per output channel (step 4) */
  readonly ifftIn: Int32Array[];
  /** K x K inverse blocks per output channel (step 5) */
  readonly blocks: Int32Array[];
}

/**
 * Runs one layer on an integer input x[i][r][c] (actBits words, frac inFrac), returning the
 * integer output y[o][r][c] (actBits words, frac outFrac). If `trace` is given it receives the
 * intermediate values of every processed tile (tiles are visited ty-major, then tx).
 */
export function goldenConvLayer(layer: FixedLayer, x: ArrayLike<number>, trace?: (t: TileTrace) => void): Int32Array {
  const pl = makePlan(layer);
  checkLayer(layer, pl);
  const { cin, cout, h, w, p, k, K, T, ho, wo, tilesY, tilesX, L } = pl;
  const f = layer.formats;
  if (x.length !== cin * h * w) throw new Error(`golden layer: input has ${x.length} words, expected ${cin * h * w}`);
  for (let q = 0; q < x.length; q++) if (!fitsSigned(x[q]!, f.actBits)) throw new Error(`golden layer: input word ${q} = ${x[q]} not ${f.actBits}-bit`);
  const fftOpts = { dataBits: f.fftBits, twiddleFrac: f.twiddleFrac };
  const ifftOpts = { dataBits: f.ifftBits, twiddleFrac: f.twiddleFrac };
  const shift = macShift(K, f);
  const div = 2 ** Math.max(shift, 0);
  const half = div / 2;
  const mul = 2 ** Math.max(-shift, 0);
  const sHi = 2 ** (f.ifftBits - 1) - 1;
  const sLo = -(2 ** (f.ifftBits - 1));
  const z = new Float64Array(cout * ho * wo); // exact integer overlap-add sums
  const tile = new Int32Array(K * K);
  const X = new Int32Array(cin * 2 * L);
  const accRe = new Float64Array(L);
  const accIm = new Float64Array(L);
  const sIn = new Int32Array(2 * L);
  const block = new Int32Array(K * K);
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const r0 = ty * T - (k - 1);
      const c0 = tx * T - (k - 1);
      const aLo = Math.max(0, -r0);
      const aHi = Math.min(K, ho - r0);
      const bLo = Math.max(0, -c0);
      const bHi = Math.min(K, wo - c0);
      if (aHi <= aLo || bHi <= bLo) continue; // block does not reach the output
      const tr = trace ? { ty, tx, tiles: [] as Int32Array[], X: [] as Int32Array[], acc: [] as Float64Array[], ifftIn: [] as Int32Array[], blocks: [] as Int32Array[] } : undefined;
      for (let i = 0; i < cin; i++) {
        tile.fill(0);
        for (let a = 0; a < T; a++) {
          const r = ty * T + a - p;
          if (r < 0 || r >= h) continue;
          for (let b = 0; b < T; b++) {
            const c = tx * T + b - p;
            if (c >= 0 && c < w) tile[a * K + b] = x[(i * h + r) * w + c]!;
          }
        }
        fft2dForwardFixed(tile, K, fftOpts, X.subarray(i * 2 * L, (i + 1) * 2 * L));
        if (tr) {
          tr.tiles.push(tile.slice());
          tr.X.push(X.slice(i * 2 * L, (i + 1) * 2 * L));
        }
      }
      for (let o = 0; o < cout; o++) {
        accRe.fill(0);
        accIm.fill(0);
        for (let i = 0; i < cin; i++) {
          const xo = i * 2 * L;
          for (const e of layer.kernels[o * cin + i]!) {
            const xr = X[xo + 2 * e.index]!;
            const xi = X[xo + 2 * e.index + 1]!;
            accRe[e.index] += xr * e.re - xi * e.im;
            accIm[e.index] += xr * e.im + xi * e.re;
          }
        }
        // macToIfftInput, inlined (same arithmetic): roundShift or exact left shift, saturate
        for (let j = 0; j < L; j++) {
          const ar = accRe[j]!;
          const ai = accIm[j]!;
          if (ar === 0 && ai === 0) {
            sIn[2 * j] = 0;
            sIn[2 * j + 1] = 0;
            continue;
          }
          const vr = shift > 0 ? Math.floor((ar + half) / div) : ar * mul;
          const vi = shift > 0 ? Math.floor((ai + half) / div) : ai * mul;
          sIn[2 * j] = vr > sHi ? sHi : vr < sLo ? sLo : vr;
          sIn[2 * j + 1] = vi > sHi ? sHi : vi < sLo ? sLo : vi;
        }
        ifft2dFixed(sIn, K, ifftOpts, block);
        if (tr) {
          const a = new Float64Array(2 * L);
          for (let j = 0; j < L; j++) {
            a[2 * j] = accRe[j]!;
            a[2 * j + 1] = accIm[j]!;
          }
          tr.acc.push(a);
          tr.ifftIn.push(sIn.slice());
          tr.blocks.push(block.slice());
        }
        for (let a = aLo; a < aHi; a++) {
          const zrow = (o * ho + r0 + a) * wo + c0;
          for (let b = bLo; b < bHi; b++) z[zrow + b] += block[a * K + b]!;
        }
      }
      if (tr && trace) trace(tr);
    }
  }
  const y = new Int32Array(cout * ho * wo);
  for (let o = 0; o < cout; o++) {
    for (let q = o * ho * wo; q < (o + 1) * ho * wo; q++) y[q] = outputStage(z[q]!, layer.bias[o]!, layer.relu, f.actBits);
  }
  return y;
}

/** Signal-to-quantisation-noise ratio in dB of `approx` against `ref`. */
export function sqnrDb(ref: ArrayLike<number>, approx: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let q = 0; q < ref.length; q++) {
    s += ref[q]! ** 2;
    n += (ref[q]! - approx[q]!) ** 2;
  }
  return 10 * Math.log10(s / n);
}
