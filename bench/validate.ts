/**
 * Model vs RTL: runs reduced-size layers, with several FFT and IFFT lanes and batches of images
 * streamed back to back, through the simulated Spec2Layer (hdl/spec2/layer-driver.ts) and
 * compares cycles (first input beat to last output word) and useful MACs with the model
 * (model.ts batchCycles). Outputs are checked bit for bit against the golden model on the way.
 *
 *   npx tsx bench/validate.ts [--sim verilator|iverilog] [--write]   (--write: bench/results/validation.json)
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "../hdl/core";
import { choiceOption, parseCommandLine, runMain, writeFileAtomic } from "../hdl/core/cli";
import { SimError, type Backend } from "../sim";
import { goldenConvLayer, quantizeActivations } from "../spectral/fixed";
import type { Spec2LayerParams } from "../hdl/spec2/layer";
import { runLayerBatch } from "../hdl/spec2/layer-driver";
import { batchCycles, usefulMacs, type ArchConfig, type ConvLayer } from "../hdl/spec2/perf/model";
import { lcg, randomLayer, type LayerShape } from "../hdl/spec2/perf/random-layer";

export interface ValidationCase extends LayerShape {
  readonly images: number;
  readonly build: Omit<Spec2LayerParams, "layer" | "pOut" | "pIn">;
}

/** Reduced layers (k = 3, p = 1, 75% pruned unless stated) with lanes, unit widths and batches; MAC-, IFFT- and load-bound. */
export const VALIDATION_CASES: readonly ValidationCase[] = [
  { cin: 8, cout: 16, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 4, pIn: 2, images: 4, build: { fftLanes: 2, ifftLanes: 2 } },
  { cin: 16, cout: 16, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 8, pIn: 2, images: 4, build: { fftLanes: 2, ifftLanes: 4, loadWords: 2 } },
  { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 8, pIn: 1, images: 4, build: { ifftLanes: 2, loadWords: 4 } },
  { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8, density: 0.25, pOut: 2, pIn: 1, images: 4, build: { drainWords: 8, ifftLanes: 2, loadWords: 4 } },
  { cin: 8, cout: 8, h: 14, w: 14, k: 3, p: 1, K: 8, density: 0.25, pOut: 8, pIn: 4, images: 3, build: { fftLanes: 4, ifftLanes: 2, xWords: 4, drainWords: 2 } },
  { cin: 32, cout: 8, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 2, pIn: 1, images: 3, build: { xWords: 1, loadWords: 1 } },
  { cin: 4, cout: 4, h: 16, w: 16, k: 3, p: 1, K: 16, density: 0.25, pOut: 2, pIn: 2, images: 3, build: { fftLanes: 2, ifftLanes: 2, loadWords: 4 } },
];

export interface ValidationResult {
  readonly shape: ValidationCase;
  readonly modelCycles: number;
  readonly rtlCycles: number;
  /** (model - rtl) / rtl */
  readonly error: number;
  readonly bound: string;
  readonly modelMacs: number;
  readonly rtlMacs: number;
  /** output words differing from the golden model (must be 0) */
  readonly mismatches: number;
}

export function convOf(s: LayerShape): ConvLayer {
  return { name: `${s.cin}->${s.cout} ${s.h}x${s.w}`, cin: s.cin, cout: s.cout, h: s.h, w: s.w, k: s.k, p: s.p };
}

export function archOf(s: ValidationCase, n: number): ArchConfig {
  return { K: s.K, pOut: s.pOut, pIn: s.pIn, fftLanes: s.build.fftLanes ?? 1, ifftLanes: s.build.ifftLanes ?? 1, n, ...s.build };
}

export async function validateCase(s: ValidationCase, opts: { seed?: number; backend?: Backend } = {}): Promise<ValidationResult> {
  const seed = opts.seed ?? 1;
  const { acc, x } = randomLayer(s, seed);
  const layer = acc.layer;
  const n = layer.kernels[0]!.length;
  if (layer.kernels.some((k) => k.length !== n)) throw new Error("unbalanced kernels");
  const m = batchCycles(convOf(s), archOf(s, n), s.images);
  const r = lcg(seed + 1);
  const maps = Array.from({ length: s.images }, (_, i) => quantizeActivations(i === 0 ? x : Float64Array.from(x, () => r() * 2 - 1), layer.formats.inFrac, layer.formats.actBits));
  const run = await runLayerBatch({ layer, pOut: s.pOut, pIn: s.pIn, ...s.build }, maps, { ...(opts.backend ? { backend: opts.backend } : {}) });
  let mismatches = 0;
  maps.forEach((map, i) => {
    const g = goldenConvLayer(layer, map);
    for (let q = 0; q < g.length; q++) if (g[q] !== run.outputs[i]![q]) mismatches++;
  });
  return {
    shape: s,
    modelCycles: m.cycles,
    rtlCycles: run.cycles,
    error: (m.cycles - run.cycles) / run.cycles,
    bound: m.rates.bound,
    modelMacs: s.images * usefulMacs(convOf(s), s.K, n),
    rtlMacs: run.macs,
    mismatches,
  };
}

export const VALIDATION_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "results/validation.json");

export function describeCase(s: ValidationCase): string {
  return `${s.cin}->${s.cout} ${s.h}x${s.w} k${s.k} K${s.K} P ${s.pOut}x${s.pIn} ${JSON.stringify(s.build)} x${s.images}`;
}

const USAGE = `usage: npx tsx bench/validate.ts [--sim verilator|iverilog] [--write]

Runs the reduced validation layers on the simulated RTL and compares cycles and MACs with the model.

  --sim NAME    verilator (default) or iverilog
  --write       store the results in bench/results/validation.json
  -h, --help    this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { sim: { type: "string" }, write: { type: "boolean" } } });
  if (!cl) return;
  const sim = choiceOption(cl, "sim", ["verilator", "iverilog"] as const, "verilator");
  const out: ValidationResult[] = [];
  for (const [i, s] of VALIDATION_CASES.entries()) {
    const t0 = Date.now();
    const r = await validateCase(s, { backend: sim });
    out.push(r);
    process.stdout.write(
      `[${i + 1}/${VALIDATION_CASES.length}] ${describeCase(s)} (${r.bound}-bound): model ${r.modelCycles} RTL ${r.rtlCycles} (${(100 * r.error).toFixed(2)}%), MACs ${r.modelMacs} vs ${r.rtlMacs}, mismatches ${r.mismatches} [${((Date.now() - t0) / 1000).toFixed(0)} s]\n`,
    );
  }
  if (cl.values.write === true) {
    writeFileAtomic(VALIDATION_FILE, JSON.stringify({ command: `npx tsx bench/validate.ts --sim ${sim} --write`, simulator: sim, results: out }, null, 1) + "\n");
  }
}

if (isMain(import.meta.url)) runMain("validate", main, (e) => (e instanceof SimError ? 1 : undefined));
