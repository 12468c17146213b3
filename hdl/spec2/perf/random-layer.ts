/**
 * Seeded random SPEC2 layers for the performance model's checks (RTL validation, composition
 * synthesis): random spatial weights, pruned to `density` by layerFromJson (balanced per kernel).
 */
import type { ConvShape } from "../../../spectral/conv";
import { layerFromJson, type AcceleratorLayer } from "../layer-file";

export interface LayerShape extends ConvShape {
  readonly density: number;
  readonly pOut: number;
  readonly pIn: number;
  readonly relu?: boolean;
  /** max |x| of the input (its fraction bits follow; default 1) */
  readonly inputRange?: number;
  /** the output's fraction bits (default: from the bound on |y|, layer-file.ts) */
  readonly outFrac?: number;
  /** bits of a weight's re and im words (default 16) */
  readonly weightBits?: number;
}

/** Seeded LCG in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A random layer of the given shape and its random input map (floats in [-1, 1)), with the
 * spatial weights ([o][i][a][b], flattened) and biases it was made from.
 */
export function randomLayer(c: LayerShape, seed: number): { acc: AcceleratorLayer; x: Float64Array; weights: Float64Array; bias: Float64Array } {
  const r = lcg(seed);
  const scale = 1 / Math.sqrt(c.cin * c.k * c.k);
  const weights = Array.from({ length: c.cout }, () =>
    Array.from({ length: c.cin }, () => Array.from({ length: c.k }, () => Array.from({ length: c.k }, () => (r() * 2 - 1) * scale * 1.7))));
  const bias = Array.from({ length: c.cout }, () => (r() - 0.5) * 0.2);
  const json = {
    inChannels: c.cin, outChannels: c.cout, height: c.h, width: c.w, kernelSize: c.k, padding: c.p, fftSize: c.K,
    weights, bias, density: c.density, relu: c.relu ?? false, parallelism: { pOut: c.pOut, pIn: c.pIn },
    ...(c.inputRange !== undefined ? { inputRange: c.inputRange } : {}),
    ...(c.outFrac !== undefined ? { outFrac: c.outFrac } : {}),
    ...(c.weightBits !== undefined ? { weightBits: c.weightBits } : {}),
  };
  const x = Float64Array.from({ length: c.cin * c.h * c.w }, () => r() * 2 - 1);
  return { acc: layerFromJson(json, "perf-random-layer"), x, weights: Float64Array.from(weights.flat(3)), bias: Float64Array.from(bias) };
}
