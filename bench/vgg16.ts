/**
 * The built engine on full-size VGG16 (224 x 224, 13 conv layers), from the engine cycle model
 * (hdl/spec2/perf/engine-model.ts), at batch 1 and 16 (a command runs the batch's images on one
 * fetch of its weights): per layer its passes, clocks per image, the phases, what bounds it (the
 * memory: weight stream and map reads; or compute) and its weight and map bytes per image; then
 * ms per image and TOP/s equivalent at the stated clock. The build is `top.ts --config vgg16` (or
 * --pes / --max-depth). The model is validated by RTL runs of the 13 layers at a reduced input
 * size (`hdl/spec2/run-network.ts --network vgg16 --json`, whose outputs --validation reads; by
 * default the committed ones), and the resources come from bench/engine-synth.ts's result (the
 * engine synthesised whole at a reduced grid, its blocks summed against that, the full build
 * composed from its blocks).
 *
 *   npx tsx bench/vgg16.ts [--pes OxI] [--max-depth N] [--batches B,..] [--clock MHZ] [--validation F,..] [--json] [--write]
 */
import { existsSync, readFileSync } from "node:fs";
import { isMain } from "../hdl/core";
import { CliError, integerOption, parseCommandLine, positiveNumberOption, runMain, stringOption, writeFileAtomic } from "../hdl/core/cli";
import { findEngineConfig } from "../hdl/spec2/engine/configs";
import { parsePeGrid } from "../hdl/spec2/pe-grid-option";
import type { Usage } from "../hdl/spec2/perf/resources";
import { PUBLISHED } from "../hdl/spec2/perf/vgg16";
import { engineLayersSvg } from "./lib/vgg16-engine-svg";
import { vgg16OnEngine, type EngineVgg16 } from "./lib/vgg16-engine";

const USAGE = `usage: npx tsx bench/vgg16.ts [options]

The built engine (top.ts --config vgg16) on full-size VGG16, from the engine cycle model
validated by RTL runs of the 13 layers at 32 x 32; density 0.25 (10 of 40 entries a kernel),
64-byte beats at 64 bytes a clock (12.8 GB/s at 200 MHz), latency 20.

  --pes OxI          the PE grid (default the configuration's)
  --max-depth N      weight bank rows (default the configuration's)
  --batches B,..     batch sizes (images on one weight fetch; default 1,16; at most the build's 16)
  --clock MHZ        clock for the time figures (default 200)
  --validation F,..  run-network.ts --json outputs of the reduced network (default the committed
                     bench/results/engine-vgg16-32.json, -b4.json and -16x8.json): the model's
                     largest cycle and byte errors over their layers
  --json             print { clockMHz, bandwidthGBs, batches: [{ batch, msPerImage, topsEquivalent,
                     dramBoundLayers, weightBytesPerImage, mapBytesPerImage, layers }], resources:
                     { lutSites, ff, dsp, bram36 }, synthesis, validation: { maxCycleError } }
  --write            also write bench/results/vgg16.json, vgg16.md and vgg16-layers.svg
  -h, --help         this text`;

/** The committed runs of the reduced network: 4 x 4 PEs at batch 1 and 4, and the build's 16 x 8 grid. */
const DEFAULT_VALIDATION = ["bench/results/engine-vgg16-32.json", "bench/results/engine-vgg16-32-b4.json", "bench/results/engine-vgg16-32-16x8.json"];
const SYNTH_RESULT = "bench/results/engine-synth.json";
/** The full build synthesised whole (`top.ts --config vgg16 > v && synth/report.ts v --native --json`), when of the same top. */
const WHOLE_RESULT = "bench/results/engine-vgg16-whole-synth.json";

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: { pes: { type: "string" }, "max-depth": { type: "string" }, batches: { type: "string" }, clock: { type: "string" }, validation: { type: "string" }, json: { type: "boolean" }, write: { type: "boolean" } },
  });
  if (!cl) return;
  const batchText = stringOption(cl, "batches") ?? "1,16";
  const batches = batchText.split(",").map(Number);
  if (batches.some((x) => !Number.isInteger(x) || x < 1 || x > 16)) throw new CliError(`--batches ${batchText}: expected integers in 1..16 separated by commas (for example 1,16)`, 2);
  const pes = stringOption(cl, "pes");
  const grid = pes === undefined ? undefined : parsePeGrid(pes);
  const maxDepth = integerOption(cl, "max-depth", { min: 16 });
  const clockMHz = positiveNumberOption(cl, "clock", 200);
  const validationFiles = stringOption(cl, "validation")?.split(",") ?? DEFAULT_VALIDATION.filter((f) => existsSync(f));
  // every input is read before any work
  const validation = validationFiles.length > 0 ? readValidation(validationFiles) : undefined;
  const synth = existsSync(SYNTH_RESULT) ? readSynth(SYNTH_RESULT, WHOLE_RESULT) : undefined;
  const build = findEngineConfig("vgg16")!.params({ ...(grid ?? {}), ...(maxDepth ? { maxDepth } : {}) }).core;
  const r = vgg16OnEngine(build, batches, clockMHz, (name) => process.stderr.write(`vgg16: ${name}\n`));
  const sameGrid = synth?.full.pes.pOut === build.pOut && synth.full.pes.pIn === build.pIn;
  const result = {
    ...r,
    ...(sameGrid ? { resources: synth.resources, synthesis: synth.synthesis } : {}),
    ...(validation ? { validation } : {}),
  };
  if (cl.values.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  const text = report(result, sameGrid ? undefined : `(no resources: ${SYNTH_RESULT} is not of a ${build.pOut} x ${build.pIn} build; npx tsx bench/engine-synth.ts --full ${build.pOut}x${build.pIn} --write)`);
  if (!cl.values.json) process.stdout.write(`${text}\n`);
  if (cl.values.write) {
    writeFileAtomic("bench/results/vgg16.json", `${JSON.stringify({ command: `npx tsx bench/vgg16.ts ${process.argv.slice(2).join(" ")}`.trim(), ...result }, null, 1)}\n`);
    writeFileAtomic("bench/results/vgg16.md", `${text}\n`);
    writeFileAtomic("bench/results/vgg16-layers.svg", engineLayersSvg(r, `VGG16 224 x 224 on the engine (${build.pOut} x ${build.pIn} PEs, engine cycle model), ${clockMHz} MHz, ${r.bandwidthGBs} GB/s`));
    process.stderr.write("vgg16: wrote bench/results/vgg16.json, vgg16.md, vgg16-layers.svg\n");
  }
}

interface Validation {
  readonly maxCycleError: number;
  readonly maxByteError?: number;
  readonly layers: number;
  readonly runs: { file: string; batch: number; images: number; maxCycleError: number; maxByteError?: number }[];
}

/** The model's largest errors over run-network.ts --json outputs (cycles; bytes where the run has the model's). */
function readValidation(files: readonly string[]): Validation {
  const runs = files.map((file) => {
    let j: { batch?: number; images?: number; layers: { cycles: number; modelCycles: number; dramBytes?: number; modelDramBytes?: number }[] };
    try {
      j = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new CliError(`--validation ${file}: cannot be read as JSON (${(e as Error).message})`, 2);
    }
    const ok = Array.isArray(j?.layers) && j.layers.length > 0 && j.layers.every((l) => Number.isFinite(l?.cycles) && l.cycles > 0 && Number.isFinite(l?.modelCycles));
    if (!ok) throw new CliError(`--validation ${file}: "layers" must be run-network.ts --json layers, each with cycles > 0 and modelCycles`, 2);
    const withBytes = j.layers.every((l) => Number.isFinite(l.modelDramBytes) && (l.dramBytes ?? 0) > 0);
    return {
      file, batch: j.batch ?? 1, images: j.images ?? 1, layers: j.layers.length,
      maxCycleError: Math.max(...j.layers.map((l) => Math.abs(l.cycles - l.modelCycles) / l.cycles)),
      ...(withBytes ? { maxByteError: Math.max(...j.layers.map((l) => Math.abs(l.dramBytes! - l.modelDramBytes!) / l.dramBytes!)) } : {}),
    };
  });
  const byteErrors = runs.flatMap((r) => (r.maxByteError === undefined ? [] : [r.maxByteError]));
  return {
    maxCycleError: Math.max(...runs.map((r) => r.maxCycleError)),
    ...(byteErrors.length === runs.length ? { maxByteError: Math.max(...byteErrors) } : {}),
    layers: Math.max(...runs.map((r) => r.layers)),
    runs: runs.map(({ layers: _, ...r }) => r),
  };
}

/**
 * bench/engine-synth.ts's result: the full build's composed resources and its composition check at
 * the reduced grid; and, when `wholeFile` is a synthesis of the same full build, the composition
 * against that too (the same error: composed over whole, less one).
 */
function readSynth(file: string, wholeFile: string) {
  const j = JSON.parse(readFileSync(file, "utf8")) as {
    reduced: { pes: { pOut: number; pIn: number }; whole: Usage; composed: Usage; wholeSeconds: number; compositionError: Record<keyof Usage, number> };
    full: { pes: { pOut: number; pIn: number }; top: string; composed: Usage };
    budget: { device: string; lutSites: number; ff: number; dsp: number; bram36: number };
    resources: { lutSites: number; ff: number; dsp: number; bram36: number };
    fits: boolean;
    yosys: string;
  };
  const errors = (composed: Usage, whole: Usage) => {
    const err = (k: keyof Usage): number => (whole[k] === 0 ? 0 : (composed[k] - whole[k]) / whole[k]);
    return { lut: err("lut"), ff: err("ff"), dsp: err("dsp"), bram36: err("bram36") };
  };
  let fullWhole: { source: string; whole: Usage; seconds: number; compositionError: ReturnType<typeof errors> } | undefined;
  if (existsSync(wholeFile)) {
    const w = JSON.parse(readFileSync(wholeFile, "utf8")) as { top: string; lut: number; lutramLuts: number; ff: number; dsp: number; bram36: number; bram18: number; elapsedMs: number };
    if (w.top === j.full.top) {
      const whole = { lut: w.lut + w.lutramLuts, ff: w.ff, dsp: w.dsp, bram36: w.bram36 + w.bram18 / 2 };
      fullWhole = { source: wholeFile, whole, seconds: Math.round(w.elapsedMs / 1000), compositionError: errors(j.full.composed, whole) };
    }
  }
  return {
    full: j.full,
    resources: j.resources,
    synthesis: {
      source: file, yosys: j.yosys,
      reduced: { pes: j.reduced.pes, whole: j.reduced.whole, composed: j.reduced.composed, compositionError: j.reduced.compositionError },
      full: { ...j.full, ...(fullWhole ? { synthesisedWhole: fullWhole } : {}) }, budget: j.budget, fits: j.fits,
    },
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const mb = (x: number): string => `${(x / 1e6).toFixed(1)} MB`;

function report(r: EngineVgg16 & { resources?: { lutSites: number; ff: number; dsp: number; bram36: number }; synthesis?: ReturnType<typeof readSynth>["synthesis"]; validation?: Validation }, noResources?: string): string {
  const b = r.build;
  const lines = [
    `The built engine (${b.pOut} x ${b.pIn} PEs, one FFT and one IFFT lane, passes of up to ${b.maxCout} output channels, weight banks of ${b.maxDepth} rows) on VGG16 224 x 224, ${r.clockMHz} MHz, ${r.bandwidthGBs} GB/s; engine cycle model, per image:`,
  ];
  for (const x of r.batches) {
    lines.push(
      "",
      `batch ${x.batch}:`,
      "layer     passes      clocks  weights phase    map phase  map waiting for reads  bound    weight bytes   map bytes",
      ...x.layers.map((l) => `${l.name.padEnd(9)} ${String(l.passes).padStart(6)} ${String(l.clocks).padStart(11)} ${String(l.weightClocks).padStart(14)} ${String(l.mapClocks).padStart(12)} ${String(l.mapLoadBoundClocks).padStart(22)}  ${l.bound.padEnd(7)} ${String(l.weightBytes).padStart(13)} ${String(l.mapBytes).padStart(11)}`),
      `total: ${x.clocksPerImage} clocks, ${x.msPerImage.toFixed(1)} ms per image, ${x.topsEquivalent.toFixed(3)} TOP/s equivalent (${(r.operationsPerImage / 1e9).toFixed(2)} G operations); weights ${mb(x.weightBytesPerImage)}, maps ${mb(x.mapBytesPerImage)} per image; memory-bound layers: ${x.dramBoundLayers.length === 0 ? "none" : x.dramBoundLayers.join(", ")}`,
    );
  }
  lines.push("");
  if (r.resources && r.synthesis) {
    const s = r.synthesis;
    const e = s.reduced.compositionError;
    const u = (x: Usage): string => `${Math.round(x.lut)} LUT sites, ${Math.round(x.ff)} FF, ${x.dsp} DSP48E1, ${x.bram36} RAMB36`;
    lines.push(
      `resources (${s.source}, ${s.yosys} synth_xilinx xc7):`,
      `  the engine at ${s.reduced.pes.pOut} x ${s.reduced.pes.pIn} PEs synthesised whole: ${u(s.reduced.whole)}; its blocks summed: ${u(s.reduced.composed)} (composition error LUT ${pct(e.lut)}, FF ${pct(e.ff)}, DSP ${pct(e.dsp)}, RAMB36 ${pct(e.bram36)})`,
      `  the full ${s.full.pes.pOut} x ${s.full.pes.pIn} build composed from its blocks: ${u(s.full.composed)}`,
      ...(s.full.synthesisedWhole
        ? [`  the full build synthesised whole (${s.full.synthesisedWhole.source}, ${s.full.synthesisedWhole.seconds} s): ${u(s.full.synthesisedWhole.whole)} (composition error LUT ${pct(s.full.synthesisedWhole.compositionError.lut)}, FF ${pct(s.full.synthesisedWhole.compositionError.ff)}, DSP ${pct(s.full.synthesisedWhole.compositionError.dsp)}, RAMB36 ${pct(s.full.synthesisedWhole.compositionError.bram36)})`]
        : []),
      `  ${s.budget.device}: ${s.budget.lutSites} LUT sites, ${s.budget.ff} FF, ${s.budget.dsp} DSP48E1, ${s.budget.bram36} RAMB36: ${s.fits ? "fits" : "does not fit"} (${pct(r.resources.lutSites / s.budget.lutSites)} LUT, ${pct(r.resources.ff / s.budget.ff)} FF, ${pct(r.resources.dsp / s.budget.dsp)} DSP, ${pct(r.resources.bram36 / s.budget.bram36)} RAMB36)`,
    );
  } else if (noResources) lines.push(noResources);
  if (r.validation) {
    const v = r.validation;
    lines.push(`model vs RTL on the reduced network: largest cycle error ${(100 * v.maxCycleError).toFixed(2)}%${v.maxByteError === undefined ? "" : `, largest byte error ${(100 * v.maxByteError).toFixed(2)}%`} over ${v.layers} layers (${v.runs.map((x) => `${x.file}: batch ${x.batch}, ${x.images} image(s), ${(100 * x.maxCycleError).toFixed(2)}%`).join("; ")})`);
  } else lines.push("(no validation file: the model's error against the RTL is not shown)");
  const best = r.batches.reduce((m, x) => Math.max(m, x.topsEquivalent * 1000), 0);
  lines.push("", "published VGG16 designs (GOP/s equivalent):", ...PUBLISHED.map((p) => `  ${p.work.padEnd(38)} ${String(p.gops).padStart(7)}  ${p.device}${p.note ? `; ${p.note}` : ""}  (engine: ${(best / p.gops).toFixed(1)}x at its best batch)`));
  return lines.join("\n");
}

if (isMain(import.meta.url)) runMain("vgg16", main);
