/** Float spectral layer -> fixed-point golden layer (weight/bias quantisation). */
import { makePlan, type ConvShape } from "../conv";
import { defaultFormats, type FixedLayer, type SparseEntry } from "./layer";
import { chooseFrac, quantize } from "./primitives";

export interface QuantizeOptions {
  /** fraction bits of the input activations */
  readonly inFrac: number;
  /** fraction bits of the output activations */
  readonly outFrac: number;
  readonly relu: boolean;
  /** kept entries, mask[(o*cin+i)*L + idx] != 0; all entries when absent */
  readonly mask?: ArrayLike<number>;
  /** force the weight fraction bits (default: chooseFrac of the largest |re|, |im| kept) */
  readonly weightFrac?: number;
  /** bits of a weight's re and im words (default 16) */
  readonly weightBits?: number;
}

/**
 * Quantises spectral weights W (interleaved complex, [o][i] half-plane, as spectral/conv.ts)
 * and biases to a FixedLayer. Weights: quantize(x, weightFrac, weightBits) with round half away from
 * zero, so the two members of a conjugate pair stay exact conjugates. Entries are stored in
 * increasing index order, one per kept layout position (both members of a kept pair).
 */
export function quantizeLayer(shape: ConvShape, W: ArrayLike<number>, bias: ArrayLike<number>, opts: QuantizeOptions): FixedLayer {
  const pl = makePlan(shape);
  const { cin, cout, K, L } = pl;
  let maxAbs = 0;
  for (let q = 0; q < cout * cin * L; q++) {
    if (opts.mask && !opts.mask[q]) continue;
    maxAbs = Math.max(maxAbs, Math.abs(W[2 * q]!), Math.abs(W[2 * q + 1]!));
  }
  const weightBits = opts.weightBits ?? 16;
  const weightFrac = opts.weightFrac ?? chooseFrac(maxAbs, weightBits);
  const formats = { ...defaultFormats(K, opts.inFrac, weightFrac, opts.outFrac), weightBits };
  const kernels: SparseEntry[][] = [];
  for (let kk = 0; kk < cout * cin; kk++) {
    const ents: SparseEntry[] = [];
    for (let j = 0; j < L; j++) {
      const q = kk * L + j;
      if (opts.mask && !opts.mask[q]) continue;
      ents.push({ index: j, re: quantize(W[2 * q]!, weightFrac, formats.weightBits), im: quantize(W[2 * q + 1]!, weightFrac, formats.weightBits) });
    }
    kernels.push(ents);
  }
  const b = Array.from({ length: cout }, (_, o) => quantize(bias[o]!, opts.outFrac, formats.actBits));
  return { ...shape, relu: opts.relu, formats, kernels, bias: b };
}

/** Quantises activations: quantize(x, frac, bits) elementwise. */
export function quantizeActivations(x: ArrayLike<number>, frac: number, bits = 16): Int32Array {
  const out = new Int32Array(x.length);
  for (let q = 0; q < x.length; q++) out[q] = quantize(x[q]!, frac, bits);
  return out;
}

/** Integer words -> real values (word / 2^frac). */
export function dequantize(x: ArrayLike<number>, frac: number): Float64Array {
  const out = new Float64Array(x.length);
  const s = 2 ** -frac;
  for (let q = 0; q < x.length; q++) out[q] = x[q]! * s;
  return out;
}
