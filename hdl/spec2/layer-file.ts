/**
 * The layer file (`L.json`) read by `hdl/spec2/top.ts --layer` and
 * `sim/run-layer.ts`: a convolution layer in spatial form, turned into the
 * fixed-point layer the accelerator computes. Every problem names the field.
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
import { makePlan, spatialToSpectral, type ConvShape } from "../../spectral/conv";
import { chooseFrac, quantizeLayer, type FixedLayer } from "../../spectral/fixed";
import { checkDensity, keptPerKernel } from "../../spectral/layout";
import { projectLayerMask, symmetrize } from "../../prune/project";
import { fixedLayerOf, loadWeights } from "../../prune/weights";

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

const UNIT_WIDTHS = ["fftLanes", "ifftLanes", "xWords", "drainWords", "loadWords"] as const;

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

type Json = Record<string, unknown>;

class Reader {
  constructor(readonly file: string, readonly obj: Json) {}

  fail(message: string): never {
    throw new LayerFileError(this.file, message);
  }

  int(key: string, min: number): number {
    const v = this.obj[key];
    if (v === undefined) this.fail(`missing field "${key}"`);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) this.fail(`${key} = ${JSON.stringify(v)} must be an integer >= ${min}`);
    return v;
  }

  optional<T>(key: string, read: () => T, fallback: T): T {
    return this.obj[key] === undefined ? fallback : read();
  }

  number(key: string, check: (x: number) => boolean, what: string): number {
    const v = this.obj[key];
    if (v === undefined) this.fail(`missing field "${key}"`);
    if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) this.fail(`${key} = ${JSON.stringify(v)} ${what}`);
    return v;
  }

  /** A nested array of finite numbers with the given shape, flattened. */
  tensor(key: string, shape: readonly number[]): Float64Array {
    const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
    let at = 0;
    const walk = (v: unknown, depth: number, where: string): void => {
      if (depth === shape.length) {
        if (typeof v !== "number" || !Number.isFinite(v)) this.fail(`${where} = ${JSON.stringify(v)} is not a finite number`);
        out[at++] = v;
        return;
      }
      if (!Array.isArray(v)) this.fail(`${where} must be an array`);
      if (v.length !== shape[depth]) this.fail(`${where} has ${v.length} entries, expected ${shape[depth]}`);
      v.forEach((x, i) => walk(x, depth + 1, `${where}[${i}]`));
    };
    if (this.obj[key] === undefined) this.fail(`missing field "${key}"`);
    walk(this.obj[key], 0, key);
    return out;
  }
}

/** Output fraction bits from a bound on |y|: |bias| + inputRange * sum |w| (the spatial L1 norm). */
function outFracFor(s: ConvShape, w: Float64Array, bias: Float64Array, inputRange: number): number {
  let bound = 0;
  const per = s.cin * s.k * s.k;
  for (let o = 0; o < s.cout; o++) {
    let l1 = 0;
    for (let q = o * per; q < (o + 1) * per; q++) l1 += Math.abs(w[q]!);
    bound = Math.max(bound, Math.abs(bias[o]!) + inputRange * l1);
  }
  return chooseFrac(bound, 16);
}

function parallelismOf(r: Reader, cout: number, cin: number): Parallelism {
  return r.optional(
    "parallelism",
    () => {
      const p = r.obj.parallelism;
      if (typeof p !== "object" || p === null || Array.isArray(p)) r.fail(`parallelism must be an object { "pOut", "pIn", ... }`);
      const pr = new Reader(r.file, p as Json);
      for (const key of Object.keys(p)) {
        if (key !== "pOut" && key !== "pIn" && !(UNIT_WIDTHS as readonly string[]).includes(key)) r.fail(`parallelism.${key}: unknown field (pOut, pIn, ${UNIT_WIDTHS.join(", ")})`);
      }
      const pOut = pr.optional("pOut", () => pr.int("pOut", 1), 1);
      const pIn = pr.optional("pIn", () => pr.int("pIn", 1), 1);
      if (pOut > cout) r.fail(`parallelism.pOut = ${pOut} exceeds outChannels = ${cout}`);
      if (pIn > cin) r.fail(`parallelism.pIn = ${pIn} exceeds inChannels = ${cin}`);
      const widths: Record<string, number> = {};
      for (const key of UNIT_WIDTHS) if ((p as Json)[key] !== undefined) widths[key] = pr.int(key, 1);
      return { pOut, pIn, ...widths };
    },
    { pOut: Math.min(cout, 4), pIn: 1 },
  );
}

/** Reads a layer description (already parsed JSON) into the accelerator's fixed-point layer. */
export function layerFromJson(raw: unknown, file: string): AcceleratorLayer {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new LayerFileError(file, "must hold a JSON object");
  const r = new Reader(file, raw as Json);
  if (r.obj.weightsDir !== undefined) return fromWeightsDir(r);
  const shape: ConvShape = {
    cin: r.int("inChannels", 1),
    cout: r.int("outChannels", 1),
    h: r.int("height", 1),
    w: r.int("width", 1),
    k: r.int("kernelSize", 1),
    p: r.int("padding", 0),
    K: r.int("fftSize", 2),
  };
  if (shape.k % 2 !== 1) r.fail(`kernelSize = ${shape.k} must be odd`);
  if ((shape.K & (shape.K - 1)) !== 0) r.fail(`fftSize = ${shape.K} is not a power of two`);
  if (shape.K <= shape.k) r.fail(`fftSize = ${shape.K} must be greater than kernelSize = ${shape.k}`);
  try {
    makePlan(shape);
  } catch (e) {
    r.fail((e as Error).message);
  }
  const density = r.number("density", (d) => d > 0 && d <= 1, "must be in (0, 1]");
  try {
    checkDensity(density);
  } catch (e) {
    r.fail(`density: ${(e as Error).message}`);
  }
  const w = r.tensor("weights", [shape.cout, shape.cin, shape.k, shape.k]);
  const bias = r.tensor("bias", [shape.cout]);
  const relu = r.optional("relu", () => (typeof r.obj.relu === "boolean" ? r.obj.relu : r.fail(`relu = ${JSON.stringify(r.obj.relu)} must be true or false`)), false);
  const inputRange = r.optional("inputRange", () => r.number("inputRange", (x) => x > 0, "must be a positive number"), 1);
  const outFrac = r.optional("outFrac", () => r.int("outFrac", 0), outFracFor(shape, w, bias, inputRange));
  const W = spatialToSpectral(shape, w);
  const kernels = shape.cout * shape.cin;
  // Below density 1, keep the largest-magnitude entries, balanced per kernel, conjugate pairs together.
  let mask: Uint8Array | undefined;
  if (density < 1) {
    symmetrize(shape.K, W, kernels);
    mask = projectLayerMask(shape.K, W, kernels, keptPerKernel(shape.K, density));
  }
  const layer = quantizeLayer(shape, W, bias, { inFrac: chooseFrac(inputRange, 16), outFrac, relu, ...(mask ? { mask } : {}) });
  return { layer, parallelism: parallelismOf(r, shape.cout, shape.cin), inputRange };
}

function fromWeightsDir(r: Reader): AcceleratorLayer {
  const dirField = r.obj.weightsDir;
  if (typeof dirField !== "string") r.fail(`weightsDir = ${JSON.stringify(dirField)} must be a path`);
  const dir = path.resolve(path.dirname(r.file), dirField);
  const manifest = loadWeights(dir);
  const which = r.obj.layer ?? 0;
  const index = typeof which === "number" ? which : manifest.layers.findIndex((l) => l.name === which);
  if (!Number.isInteger(index) || index < 0 || index >= manifest.layers.length) {
    r.fail(`layer = ${JSON.stringify(which)} is not one of ${manifest.layers.map((l) => l.name).join(", ")}`);
  }
  const layer = fixedLayerOf(manifest, index);
  const inputRange = 2 ** (15 - layer.formats.inFrac);
  return { layer, parallelism: parallelismOf(r, layer.cout, layer.cin), inputRange };
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
