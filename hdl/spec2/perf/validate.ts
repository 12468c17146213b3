/**
 * Model vs RTL: runs reduced-size layers through the simulated Spec2Layer (Icarus, via
 * sim/layer-driver.ts runLayerMaps) and compares cycles and useful MACs with the model.
 *
 *   npx tsx hdl/spec2/perf/validate.ts [--write]   (--write: bench/results/validation.json)
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { elaborate, isMain } from "../../core";
import { Spec2Layer } from "../layer";
import { runLayerMaps } from "../../../sim/layer-driver";
import { quantizeActivations } from "../../../spectral/fixed";
import { spec2LayerCycles, usefulMacs, type ArchConfig, type ConvLayer } from "./model";
import { randomLayer, type LayerShape } from "./random-layer";

/** Reduced-size layers: VGG-like channel ratios (Cin:Cout 3:8, 1:2, 1:1, 2:1) at small maps, k = 3, p = 1, 75% pruned. */
export const VALIDATION_CASES: readonly LayerShape[] = [
  { cin: 4, cout: 8, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 2, pIn: 1 },
  { cin: 8, cout: 8, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 4, pIn: 2 },
  { cin: 8, cout: 16, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 8, pIn: 4 },
  { cin: 3, cout: 8, h: 14, w: 14, k: 3, p: 1, K: 8, density: 0.25, pOut: 8, pIn: 1 },
  { cin: 16, cout: 8, h: 10, w: 10, k: 3, p: 1, K: 8, density: 0.25, pOut: 2, pIn: 8 },
  { cin: 8, cout: 16, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 4, pIn: 2 },
  { cin: 4, cout: 4, h: 16, w: 16, k: 3, p: 1, K: 16, density: 0.25, pOut: 2, pIn: 2 },
  { cin: 16, cout: 32, h: 14, w: 14, k: 3, p: 1, K: 8, density: 0.25, pOut: 8, pIn: 4 },
  { cin: 8, cout: 16, h: 16, w: 16, k: 3, p: 1, K: 16, density: 0.25, pOut: 8, pIn: 4 },
];

export interface ValidationResult {
  readonly shape: LayerShape;
  readonly modelCycles: number;
  readonly rtlCycles: number;
  /** (model - rtl) / rtl */
  readonly error: number;
  /** pipeline part only (cycles after the serial input load) */
  readonly modelPipeline: number;
  readonly rtlPipeline: number;
  readonly pipelineError: number;
  readonly bound: string;
  readonly modelMacs: number;
  readonly rtlMacs: number;
}

export function convOf(s: LayerShape): ConvLayer {
  return { name: `${s.cin}->${s.cout} ${s.h}x${s.w}`, cin: s.cin, cout: s.cout, h: s.h, w: s.w, k: s.k, p: s.p };
}

export async function validateCase(s: LayerShape, seed = 1): Promise<ValidationResult> {
  const { acc, x } = randomLayer(s, seed);
  const layer = acc.layer;
  const n = layer.kernels[0]!.length;
  if (layer.kernels.some((k) => k.length !== n)) throw new Error("unbalanced kernels");
  const cfg: ArchConfig = { K: s.K, pOut: s.pOut, pIn: s.pIn, fftLanes: 1, ifftLanes: 1, n };
  const m = spec2LayerCycles(convOf(s), cfg);
  const words = quantizeActivations(x, layer.formats.inFrac, layer.formats.actBits);
  const design = elaborate(Spec2Layer, { layer, pOut: s.pOut, pIn: s.pIn });
  const [run] = await runLayerMaps(design, layer, [words]);
  const rtlPipeline = run!.cycles - m.load;
  return {
    shape: s,
    modelCycles: m.cycles,
    rtlCycles: run!.cycles,
    error: (m.cycles - run!.cycles) / run!.cycles,
    modelPipeline: m.pipeline.cycles,
    rtlPipeline,
    pipelineError: (m.pipeline.cycles - rtlPipeline) / rtlPipeline,
    bound: m.pipeline.rates.bound,
    modelMacs: usefulMacs(convOf(s), s.K, n),
    rtlMacs: run!.macs,
  };
}

export const VALIDATION_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../bench/results/validation.json");

async function main(): Promise<void> {
  const out: ValidationResult[] = [];
  for (const [i, s] of VALIDATION_CASES.entries()) {
    const t0 = Date.now();
    const r = await validateCase(s);
    out.push(r);
    process.stderr.write(
      `[${i + 1}/${VALIDATION_CASES.length}] ${s.cin}->${s.cout} ${s.h}x${s.w} K${s.K} P ${s.pOut}x${s.pIn} (${r.bound}-bound): model ${r.modelCycles} RTL ${r.rtlCycles} (${(100 * r.error).toFixed(2)}%), pipeline ${r.modelPipeline} vs ${r.rtlPipeline} (${(100 * r.pipelineError).toFixed(2)}%), MACs ${r.modelMacs} vs ${r.rtlMacs} [${((Date.now() - t0) / 1000).toFixed(0)} s]\n`,
    );
  }
  if (process.argv.includes("--write")) {
    writeFileSync(VALIDATION_FILE, JSON.stringify({ command: "npx tsx hdl/spec2/perf/validate.ts --write", simulator: "icarus", results: out }, null, 1) + "\n");
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
