/**
 * The layer file (`L.json`) read by `hdl/spec2/top.ts --layer` and
 * `hdl/spec2/run-layer.ts`: a convolution layer in spatial form, turned into the
 * fixed-point layer the accelerator computes. The fields and their ranges are the schema in
 * layer-file-schema.ts (unknown fields are rejected by name); every problem names the field
 * and the value.
 *
 *   { "inChannels", "outChannels", "height", "width", "kernelSize", "padding", "fftSize",
 *     "weights": [out][in][k][k] floats, "bias": [out] floats,
 *     "density": kept fraction of half-plane entries per kernel (1 = unpruned),
 *     "relu"?: boolean, "inputRange"?: max |x| (default 1), "outFrac"?: integer,
 *     "parallelism"?: { "pOut", "pIn", "fftLanes"?, "ifftLanes"?, "xWords"?, "drainWords"?, "loadWords"? } }
 *   or, in place of weights/bias/density: { "weightsDir": "weights/lenet", "layer": "conv1" | index }
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { makePlan, spatialToSpectral, type ConvShape } from "../../spectral/conv";
import { chooseFrac, quantizeLayer, type FixedLayer } from "../../spectral/fixed";
import { checkDensity, keptPerKernel } from "../../spectral/layout";
import { projectLayerMask, symmetrize } from "../../spectral/project";
import { fixedLayerOf, loadWeights } from "../../spectral/weights";
import { SpatialLayerSchema, WeightsDirLayerSchema, describeIssue, type ParallelismJson, type WeightsDirLayerJson } from "./layer-file-schema";

/** How a layer is built: the PE grid and the unit widths (see Spec2LayerParams; absent = default). */
export interface Parallelism {
  readonly pOut: number;
  readonly pIn: number;
  readonly fftLanes?: number;
  readonly ifftLanes?: number;
  readonly xWords?: number;
  readonly drainWords?: number;
  readonly loadWords?: number;
}

export interface AcceleratorLayer {
  readonly layer: FixedLayer;
  readonly parallelism: Parallelism;
  /** Largest |input| the formats were chosen for. */
  readonly inputRange: number;
}

export class LayerFileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "LayerFileError";
  }
}

/** A nested array of finite numbers with the given shape, flattened; problems name the element. */
function tensor(file: string, key: string, value: unknown, shape: readonly number[]): Float64Array {
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let at = 0;
  // An explicit stack: [value, depth, where], so a deep or long array costs no recursion.
  const stack: [unknown, number, string][] = [[value, 0, key]];
  while (stack.length > 0) {
    const [v, depth, where] = stack.pop()!;
    if (depth === shape.length) {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new LayerFileError(file, `${where} = ${JSON.stringify(v)} is not a finite number`);
      out[at++] = v;
      continue;
    }
    if (!Array.isArray(v)) throw new LayerFileError(file, `${where} must be an array`);
    if (v.length !== shape[depth]) throw new LayerFileError(file, `${where} has ${v.length} entries, expected ${shape[depth]}`);
    for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], depth + 1, `${where}[${i}]`]);
  }
  return out;
}

/** Bound on |y|: |bias| + inputRange * sum |w| (the spatial L1 norm), the largest over the output channels. */
function outputBound(s: ConvShape, w: Float64Array, bias: Float64Array, inputRange: number): number {
  let bound = 0;
  const per = s.cin * s.k * s.k;
  for (let o = 0; o < s.cout; o++) {
    let l1 = 0;
    for (let q = o * per; q < (o + 1) * per; q++) l1 += Math.abs(w[q]!);
    bound = Math.max(bound, Math.abs(bias[o]!) + inputRange * l1);
  }
  return bound;
}

function parse<S extends z.ZodObject>(schema: S, raw: unknown, file: string): z.infer<S> {
  const r = schema.safeParse(raw, { reportInput: true });
  if (!r.success) throw new LayerFileError(file, describeIssue(r.error.issues[0]!, schema));
  return r.data;
}

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

/** Checks across fields: kernel and FFT sizes, and an FFT no larger than one tile covering the whole map needs. */
function checkShape(file: string, shape: ConvShape): void {
  const fail = (m: string): never => {
    throw new LayerFileError(file, m);
  };
  if (shape.k % 2 !== 1) fail(`kernelSize = ${shape.k} must be odd`);
  if (shape.p >= shape.k) fail(`padding = ${shape.p} must be less than kernelSize = ${shape.k}: wider padding only adds outputs that see no input`);
  if ((shape.K & (shape.K - 1)) !== 0) fail(`fftSize = ${shape.K} is not a power of two`);
  if (shape.K <= shape.k) fail(`fftSize = ${shape.K} must be greater than kernelSize = ${shape.k}`);
  const cover = Math.max(nextPow2(Math.max(shape.h, shape.w) + 2 * shape.p + shape.k - 1), nextPow2(shape.k + 1));
  if (shape.K > cover) fail(`fftSize = ${shape.K} is larger than the ${cover} that covers the whole ${shape.h} x ${shape.w} map in one tile: a larger FFT only adds work`);
  try {
    makePlan(shape);
  } catch (e) {
    fail((e as Error).message);
  }
}

/** Rejects an outFrac for which every output saturates, or rounds to 0. */
function checkOutFrac(file: string, outFrac: number, bound: number, inFrac: number, w: Float64Array, bias: Float64Array): void {
  const full = (2 ** 15 - 1) / 2 ** outFrac;
  let smallest = Infinity;
  for (const b of bias) if (b !== 0) smallest = Math.min(smallest, Math.abs(b));
  for (const x of w) if (x !== 0) smallest = Math.min(smallest, Math.abs(x) * 2 ** -inFrac);
  const suggested = chooseFrac(bound, 16);
  if (full < smallest) {
    throw new LayerFileError(file, `outFrac = ${outFrac} saturates every output: 16-bit outputs with ${outFrac} fraction bits reach only ${full.toPrecision(3)}, less than the smallest non-zero output (${smallest.toPrecision(3)}); this layer's outputs (|y| <= ${bound.toPrecision(3)}) fit outFrac = ${suggested}`);
  }
  if (2 ** -outFrac / 2 > bound) {
    throw new LayerFileError(file, `outFrac = ${outFrac} rounds every output to 0: its step ${2 ** -outFrac} is more than twice this layer's largest |y| (${bound.toPrecision(3)}); use outFrac = ${suggested}`);
  }
}

function parallelismOf(file: string, p: ParallelismJson | undefined, cout: number, cin: number): Parallelism {
  if (p === undefined) return { pOut: Math.min(cout, 4), pIn: 1 };
  const { pOut = 1, pIn = 1, ...widths } = p;
  if (pOut > cout) throw new LayerFileError(file, `parallelism.pOut = ${pOut} exceeds outChannels = ${cout}`);
  if (pIn > cin) throw new LayerFileError(file, `parallelism.pIn = ${pIn} exceeds inChannels = ${cin}`);
  return { pOut, pIn, ...widths };
}

/** Reads a layer description (already parsed JSON) into the accelerator's fixed-point layer. */
export function layerFromJson(raw: unknown, file: string): AcceleratorLayer {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new LayerFileError(file, "must hold a JSON object");
  if ((raw as Record<string, unknown>).weightsDir !== undefined) return fromWeightsDir(file, parse(WeightsDirLayerSchema, raw, file));
  const j = parse(SpatialLayerSchema, raw, file);
  const shape: ConvShape = { cin: j.inChannels, cout: j.outChannels, h: j.height, w: j.width, k: j.kernelSize, p: j.padding, K: j.fftSize };
  checkShape(file, shape);
  try {
    checkDensity(j.density);
  } catch (e) {
    throw new LayerFileError(file, `density: ${(e as Error).message}`);
  }
  const w = tensor(file, "weights", j.weights, [shape.cout, shape.cin, shape.k, shape.k]);
  const bias = tensor(file, "bias", j.bias, [shape.cout]);
  const inputRange = j.inputRange ?? 1;
  const inFrac = chooseFrac(inputRange, 16);
  const bound = outputBound(shape, w, bias, inputRange);
  const outFrac = j.outFrac ?? chooseFrac(bound, 16);
  if (j.outFrac !== undefined) checkOutFrac(file, j.outFrac, bound, inFrac, w, bias);
  const W = spatialToSpectral(shape, w);
  const kernels = shape.cout * shape.cin;
  // Below density 1, keep the largest-magnitude entries, balanced per kernel, conjugate pairs together.
  let mask: Uint8Array | undefined;
  if (j.density < 1) {
    symmetrize(shape.K, W, kernels);
    mask = projectLayerMask(shape.K, W, kernels, keptPerKernel(shape.K, j.density));
  }
  const layer = quantizeLayer(shape, W, bias, { inFrac, outFrac, relu: j.relu ?? false, ...(mask ? { mask } : {}), ...(j.weightBits !== undefined ? { weightBits: j.weightBits } : {}) });
  return { layer, parallelism: parallelismOf(file, j.parallelism, shape.cout, shape.cin), inputRange };
}

function fromWeightsDir(file: string, j: WeightsDirLayerJson): AcceleratorLayer {
  const dir = path.resolve(path.dirname(file), j.weightsDir);
  let manifest: ReturnType<typeof loadWeights>;
  try {
    manifest = loadWeights(dir);
  } catch (e) {
    throw new LayerFileError(file, `weightsDir = ${JSON.stringify(j.weightsDir)}: ${(e as Error).message}`);
  }
  const which = j.layer ?? 0;
  const index = typeof which === "number" ? which : manifest.layers.findIndex((l) => l.name === which);
  if (!Number.isInteger(index) || index < 0 || index >= manifest.layers.length) {
    throw new LayerFileError(file, `layer = ${JSON.stringify(which)} is not one of ${manifest.layers.map((l) => l.name).join(", ")}`);
  }
  const layer = fixedLayerOf(manifest, index);
  const inputRange = 2 ** (15 - layer.formats.inFrac);
  return { layer, parallelism: parallelismOf(file, j.parallelism, layer.cout, layer.cin), inputRange };
}

/** Reads and converts a layer file. */
export function readLayerFile(file: string): AcceleratorLayer {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new LayerFileError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LayerFileError(file, `is not valid JSON (${(e as Error).message})`);
  }
  return layerFromJson(raw, file);
}
