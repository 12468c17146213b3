/**
 * The built engine on full-size VGG16 (224 x 224, 13 conv layers), from the engine cycle model
 * (hdl/spec2/perf/engine-model.ts), at batch 1 and 16 (a command runs the batch's images on one
 * fetch of its weights): per layer its passes, clocks per image and the phase that dominates,
 * then ms per image and TOP/s equivalent at the stated clock, and the build's resources from
 * bench/engine-synth.ts's result (bench/results/engine-synth.json) when it is of the same grid. The build is
 * `top.ts --config vgg16` (or --pes / --max-depth). The model is validated by RTL runs of the
 * 13 layers at a reduced input size (`hdl/spec2/run-network.ts --network vgg16 --json`, whose
 * output --validation reads).
 *
 *   npx tsx bench/vgg16-engine.ts [--pes OxI] [--max-depth N] [--batches B,..] [--clock MHZ] [--validation FILE] [--json]
 */
import { existsSync, readFileSync } from "node:fs";
import { isMain } from "../hdl/core";
import { CliError, integerOption, parseCommandLine, positiveNumberOption, runMain, stringOption } from "../hdl/core/cli";
import { findEngineConfig } from "../hdl/spec2/engine/configs";
import { parsePeGrid } from "../hdl/spec2/pe-grid-option";
import { engineCommandWords } from "../hdl/spec2/engine/engine";
import { engineArrayParams } from "../hdl/spec2/engine/engine-core";
import { engineSizes } from "../hdl/spec2/engine/engine-command";
import { DEFAULT_ENGINE_MEMORY, layerPasses } from "../hdl/spec2/engine/network-driver";
import { engineCommandCycles } from "../hdl/spec2/perf/engine-model";
import { spatialOps } from "../hdl/spec2/perf/model";
import { VGG16_CONV } from "../hdl/spec2/perf/vgg16";
import { peArrayCapacity } from "../hdl/spec2/pe-array";
import { rowBeats } from "../hdl/spec2/engine/weight-image";
import { weightRowShape } from "../hdl/spec2/weight-row";
import type { FixedLayer } from "../spectral/fixed";

const USAGE = `usage: npx tsx bench/vgg16-engine.ts [options]

The built engine (top.ts --config vgg16) on full-size VGG16, from the engine cycle model;
density 0.25 (10 of 40 entries a kernel), 64-byte beats at 64 bytes a clock, latency 20.

  --pes OxI          the PE grid (default the configuration's, 8x8)
  --max-depth N      weight bank rows (default the configuration's, 2560)
  --batches B,..     batch sizes (images on one weight fetch; default 1,16; at most the build's 16)
  --clock MHZ        clock for the time figures (default 200)
  --validation F,..  run-network.ts --json outputs of the reduced network (for example batch 1
                     and batch 4 runs): the model's largest error over their layers
  --json             the result as JSON on stdout
  -h, --help         this text`;

const N = 10;

/** A layer of VGG16's shape with N entries a kernel in the build's formats (the model needs counts and widths, not values). */
function shapeLayer(v: (typeof VGG16_CONV)[number], formats: FixedLayer["formats"]): FixedLayer {
  const entries = Array.from({ length: N }, (_, j) => ({ index: j, re: 1, im: 0 }));
  return { cin: v.cin, cout: v.cout, h: v.h, w: v.w, k: v.k, p: v.p, K: 8, relu: true, formats, kernels: new Array(v.cin * v.cout).fill(entries), bias: new Array<number>(v.cout).fill(0) };
}

const SYNTH_RESULT = "bench/results/engine-synth.json";

/** The build's resources from bench/engine-synth.ts's result, when it is of this PE grid. */
function synthesised(pOut: number, pIn: number): { lutSites: number; ff: number; dsp: number; bram36: number } | undefined {
  if (!existsSync(SYNTH_RESULT)) return undefined;
  const j = JSON.parse(readFileSync(SYNTH_RESULT, "utf8")) as { full?: { pes?: { pOut: number; pIn: number } }; resources?: { lutSites: number; ff: number; dsp: number; bram36: number } };
  return j.full?.pes?.pOut === pOut && j.full.pes.pIn === pIn ? j.resources : undefined;
}

const POOLED = new Set(["conv1_2", "conv2_2", "conv3_3", "conv4_3", "conv5_3"]);

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { pes: { type: "string" }, "max-depth": { type: "string" }, batches: { type: "string" }, clock: { type: "string" }, validation: { type: "string" }, json: { type: "boolean" } } });
  if (!cl) return;
  const batchText = stringOption(cl, "batches") ?? "1,16";
  const batchSizes = batchText.split(",").map(Number);
  if (batchSizes.some((x) => !Number.isInteger(x) || x < 1 || x > 16)) throw new CliError(`--batches ${batchText}: expected integers in 1..16 separated by commas (for example 1,16)`, 2);
  const pes = stringOption(cl, "pes");
  const grid = pes === undefined ? undefined : parsePeGrid(pes);
  const maxDepth = integerOption(cl, "max-depth", { min: 16 });
  const clockMHz = positiveNumberOption(cl, "clock", 200);
  // the validation files are read before any work
  let validation: { maxCycleError: number; layers: number; runs: { file: string; batch: number; images: number; maxCycleError: number }[] } | undefined;
  const vfiles = stringOption(cl, "validation");
  if (vfiles !== undefined) {
    const runs = vfiles.split(",").map((vfile) => {
      let j: { batch?: number; images?: number; layers: { cycles: number; modelCycles: number }[] };
      try {
        j = JSON.parse(readFileSync(vfile, "utf8"));
      } catch (e) {
        throw new CliError(`--validation ${vfile}: cannot be read as JSON (${(e as Error).message})`, 2);
      }
      const ok = Array.isArray(j?.layers) && j.layers.length > 0 && j.layers.every((l) => Number.isFinite(l?.cycles) && l.cycles > 0 && Number.isFinite(l?.modelCycles));
      if (!ok) throw new CliError(`--validation ${vfile}: "layers" must be run-network.ts --json layers, each with cycles > 0 and modelCycles`, 2);
      return { file: vfile, batch: j.batch ?? 1, images: j.images ?? 1, layers: j.layers.length, maxCycleError: Math.max(...j.layers.map((l) => Math.abs(l.cycles - l.modelCycles) / l.cycles)) };
    });
    validation = { maxCycleError: Math.max(...runs.map((r) => r.maxCycleError)), layers: Math.max(...runs.map((r) => r.layers)), runs: runs.map(({ layers: _, ...r }) => r) };
  }

  const config = findEngineConfig("vgg16")!.params({ ...(grid ?? {}), ...(maxDepth ? { maxDepth } : {}) });
  const build = config.core;
  const memory = DEFAULT_ENGINE_MEMORY;
  const oBits = peArrayCapacity(engineArrayParams(build))!.oBits;
  const b = { pOut: build.pOut, pIn: build.pIn, loadWords: engineSizes(build).loadWords, commandWords: engineCommandWords(build) };
  const layers = VGG16_CONV.map((v) => {
    process.stderr.write(`vgg16-engine: ${v.name}\n`);
    const layer = { name: v.name, fixed: shapeLayer(v, build.layer.formats), pool: POOLED.has(v.name) };
    // a pass is at most maxCout channels: the accumulators of the build
    const passes = layerPasses(layer, { pOut: build.pOut, pIn: build.pIn, maxDepth: build.maxDepth, wordsPerBeat: (8 * memory.dataBytes) / 16, maxCout: build.maxCout });
    return { v, layer, passes };
  });
  const ops = VGG16_CONV.reduce((s, v) => s + spatialOps(v), 0);
  const batches = batchSizes.map((batch) => {
    // per image: a command's clocks over its images
    const rows = layers.map(({ v, layer, passes }) => {
      const parts = passes.map((q) => engineCommandCycles(q.fixed, layer.pool, q.depth * rowBeats(weightRowShape(q.schedule, oBits), memory.dataBytes), b, memory, batch));
      const sum = (k: "weights" | "map" | "total"): number => parts.reduce((s, x) => s + x[k], 0) / batch;
      return { name: v.name, passes: passes.length, clocks: Math.round(sum("total")), weights: Math.round(sum("weights")), map: Math.round(sum("map")) };
    });
    const clocks = rows.reduce((s, r) => s + r.clocks, 0);
    const seconds = clocks / (clockMHz * 1e6);
    return { batch, clocksPerImage: clocks, msPerImage: 1000 * seconds, topsEquivalent: ops / seconds / 1e12, layers: rows };
  });
  const resources = synthesised(build.pOut, build.pIn);
  const result = {
    build: { pOut: build.pOut, pIn: build.pIn, maxCout: build.maxCout, maxDepth: build.maxDepth, fftLanes: 1, ifftLanes: 1 },
    clockMHz, bandwidthGBs: (memory.bytesPerCycle * clockMHz) / 1000, operationsPerImage: ops,
    batches, ...(resources ? { resources } : {}), ...(validation ? { validation } : {}),
  };
  if (cl.values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return;
  }
  const lines = [
    `The built engine (${build.pOut} x ${build.pIn} PEs, one FFT and one IFFT lane, passes of up to ${build.maxCout} output channels, weight banks of ${build.maxDepth} rows) on VGG16 224 x 224, ${clockMHz} MHz, ${result.bandwidthGBs} GB/s; engine cycle model, clocks per image:`,
    ...batches.flatMap((r) => [
      `batch ${r.batch}:`,
      "layer     passes   clocks      weights phase   map phase",
      ...r.layers.map((l) => `${l.name.padEnd(9)} ${String(l.passes).padStart(6)} ${String(l.clocks).padStart(11)} ${String(l.weights).padStart(13)} ${String(l.map).padStart(11)}`),
      `total: ${r.clocksPerImage} clocks, ${r.msPerImage.toFixed(1)} ms per image, ${r.topsEquivalent.toFixed(3)} TOP/s equivalent (${(ops / 1e9).toFixed(2)} G operations)`,
    ]),
    resources
      ? `resources (${SYNTH_RESULT}, composed from synthesised blocks): ${resources.lutSites} LUT sites, ${resources.ff} FF, ${resources.dsp} DSP48E1, ${resources.bram36} RAMB36`
      : `(no resources: ${SYNTH_RESULT} is not of a ${build.pOut} x ${build.pIn} build; npx tsx bench/engine-synth.ts --full ${build.pOut}x${build.pIn} --write)`,
    validation
      ? `model vs RTL on the reduced network: largest error ${(100 * validation.maxCycleError).toFixed(2)}% over ${validation.layers} layers (${validation.runs.map((r) => `${r.file}: batch ${r.batch}, ${r.images} image(s), ${(100 * r.maxCycleError).toFixed(2)}%`).join("; ")})`
      : "(no --validation: the model's error against the RTL is not shown)",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (isMain(import.meta.url)) runMain("vgg16-engine", main);
