/**
 * Layer benchmark: the LeNet conv layers (trained weights, weights/lenet) and VGG-like layers
 * (k = 3, p = 1, 32 to 128 channels, 12x12 to 28x28 maps, seeded random weights at density 0.25)
 * through the simulated SPEC2 RTL, a batch of images streamed back to back. Per layer: the PE
 * count, cycles per image over the batch, PE utilisation (useful MACs / (P x cycles)), the model's
 * cycles and its error, output words differing from the golden model (must be 0), and the PE's
 * LUT sites, FF, DSP and block RAM from Yosys synth_xilinx; then LeNet images per second at the
 * stated clock.
 *
 *   npx tsx bench/layers.ts [--sim verilator|iverilog] [--batch 8] [--clock 200] [--json] [--write] [--no-synth]
 *
 * --write stores the figures as bench/results/layers.json. Progress on stderr.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "../hdl/core";
import { CliError, UsageError, choiceOption, integerOption, parseCommandLine, positiveNumberOption, runMain, stringOption, writeFileAtomic } from "../hdl/core/cli";
import { YosysError } from "../synth";
import { DEFAULT_WEIGHTS, LENET_PARALLELISM } from "../hdl/spec2/configs";
import type { Parallelism } from "../hdl/spec2/layer-file";
import { runLayerBatch } from "../hdl/spec2/layer-driver";
import { peArrayConfig, peArraySchedule } from "../hdl/spec2/pe-array";
import { batchCycles, type ConvLayer } from "../hdl/spec2/perf/model";
import { lcg, randomLayer } from "../hdl/spec2/perf/random-layer";
import { fixedLayerOf, loadWeights } from "../spectral/weights";
import { SimError, type Backend } from "../sim";
import { goldenConvLayer, quantizeActivations, type FixedLayer } from "../spectral/fixed";
import { measurePe, type PeCost } from "./pe";

interface BenchLayer {
  readonly name: string;
  readonly layer: FixedLayer;
  readonly parallelism: Parallelism;
  /** input maps in [-range, range] */
  readonly range: number;
}

export interface LayerFigures {
  readonly name: string;
  readonly shape: string;
  readonly parallelism: Parallelism;
  readonly pes: number;
  readonly batch: number;
  readonly cyclesPerImage: number;
  readonly cycles: number;
  readonly modelCycles: number;
  readonly modelError: number;
  readonly bound: string;
  readonly peUtilisation: number;
  readonly mismatches: number;
  readonly pe?: PeCost;
  readonly simSeconds: number;
}

/** The VGG-like layers: VGG channel counts at reduced maps, all on 16 PEs over output channels. */
const VGG_LIKE = [
  { name: "vgg-32x32-28", cin: 32, cout: 32, h: 28, w: 28 },
  { name: "vgg-64x64-14", cin: 64, cout: 64, h: 14, w: 14 },
  { name: "vgg-128x128-12", cin: 128, cout: 128, h: 12, w: 12 },
] as const;
const VGG_PARALLELISM: Parallelism = { pOut: 16, pIn: 1, loadWords: 4 };

function benchLayers(): BenchLayer[] {
  const m = loadWeights(DEFAULT_WEIGHTS);
  const lenet: BenchLayer[] = ["conv1", "conv2"].map((name, i) => ({ name: `lenet-${name}`, layer: fixedLayerOf(m, i), parallelism: LENET_PARALLELISM[name]!, range: 1 }));
  const vgg = VGG_LIKE.map((v, i) => {
    const { acc } = randomLayer({ ...v, k: 3, p: 1, K: 8, density: 0.25, pOut: VGG_PARALLELISM.pOut, pIn: VGG_PARALLELISM.pIn, relu: true }, 40 + i);
    return { name: v.name, layer: acc.layer, parallelism: VGG_PARALLELISM, range: acc.inputRange };
  });
  return [...lenet, ...vgg];
}

/** Seeded random input maps; LeNet conv1 takes MNIST-like [0, 1] pixels, the others [-range, range]. */
function inputs(l: BenchLayer, batch: number, seed: number): Int32Array[] {
  const r = lcg(seed);
  const { cin, h, w } = l.layer;
  const lo = l.name === "lenet-conv1" ? 0 : -l.range;
  return Array.from({ length: batch }, () => {
    const x = Float64Array.from({ length: cin * h * w }, () => lo + r() * (l.range - lo));
    return quantizeActivations(x, l.layer.formats.inFrac, l.layer.formats.actBits);
  });
}

async function measure(l: BenchLayer, batch: number, backend: Backend, synth: boolean, peCache: Map<string, PeCost>): Promise<LayerFigures> {
  const params = { layer: l.layer, ...l.parallelism };
  const maps = inputs(l, batch, 7);
  const t0 = Date.now();
  const run = await runLayerBatch(params, maps, { backend, onImage: (d, n) => process.stderr.write(`layers: ${l.name} image ${d}/${n}\r`) });
  const simSeconds = (Date.now() - t0) / 1000;
  process.stderr.write("\n");
  let mismatches = 0;
  maps.forEach((map, i) => {
    const g = goldenConvLayer(l.layer, map);
    for (let q = 0; q < g.length; q++) if (g[q] !== run.outputs[i]![q]) mismatches++;
  });
  const c = peArrayConfig(params);
  const s = peArraySchedule(params);
  const conv: ConvLayer = { name: l.name, cin: l.layer.cin, cout: l.layer.cout, h: l.layer.h, w: l.layer.w, k: l.layer.k, p: l.layer.p };
  const n = Math.max(...l.layer.kernels.map((k) => k.length));
  const m = batchCycles(conv, { K: l.layer.K, n, ...c, loadWords: l.parallelism.loadWords ?? 1 }, batch);
  let pe: PeCost | undefined;
  if (synth) {
    const peParams = { K: s.K, xBits: s.xBits, weightBits: s.weightBits, accBits: s.accBits, oLoc: s.oLoc, xWords: c.xWords, drainWords: c.drainWords };
    const key = JSON.stringify(peParams);
    pe = peCache.get(key) ?? (await measurePe(l.name, peParams));
    peCache.set(key, pe);
  }
  return {
    name: l.name,
    shape: `${l.layer.cin}->${l.layer.cout}, ${l.layer.h}x${l.layer.w}, k${l.layer.k} p${l.layer.p}`,
    parallelism: l.parallelism,
    pes: c.pOut * c.pIn,
    batch,
    cyclesPerImage: run.cycles / batch,
    cycles: run.cycles,
    modelCycles: m.cycles,
    modelError: (m.cycles - run.cycles) / run.cycles,
    bound: m.rates.bound,
    peUtilisation: run.peUtilisation,
    mismatches,
    ...(pe ? { pe } : {}),
    simSeconds,
  };
}

export function formatTable(rows: readonly LayerFigures[], clockMHz: number): string {
  const out = [
    `SPEC2 layers on the RTL, batches of ${rows[0]?.batch} images back to back; PE cost from Yosys synth_xilinx (7-series)`,
    `${"layer".padEnd(16)} ${"shape".padEnd(26)} ${"PEs".padStart(4)} ${"cyc/image".padStart(10)} ${"util".padStart(6)} ${"model err".padStart(9)} ${"bound".padStart(6)} ${"mism".padStart(5)}  PE: LUT sites / FF / DSP / RAMB36`,
  ];
  for (const r of rows) {
    const pe = r.pe ? `${r.pe.lutSites} / ${r.pe.ff} / ${r.pe.dsp} / ${r.pe.bram36}` : "-";
    out.push(
      `${r.name.padEnd(16)} ${r.shape.padEnd(26)} ${String(r.pes).padStart(4)} ${r.cyclesPerImage.toFixed(0).padStart(10)} ${(100 * r.peUtilisation).toFixed(1).padStart(5)}% ${(100 * r.modelError).toFixed(2).padStart(8)}% ${r.bound.padStart(6)} ${String(r.mismatches).padStart(5)}  ${pe}`,
    );
  }
  const c1 = rows.find((r) => r.name === "lenet-conv1");
  const c2 = rows.find((r) => r.name === "lenet-conv2");
  if (c1 && c2) {
    const hz = clockMHz * 1e6;
    out.push(
      `LeNet at ${clockMHz} MHz (assumed; no place and route): ${(hz / Math.max(c1.cyclesPerImage, c2.cyclesPerImage)).toFixed(0)} images/s with the two layers working on different images, ` +
        `${(hz / (c1.cyclesPerImage + c2.cyclesPerImage)).toFixed(0)} images/s one layer after the other`,
    );
  }
  return out.join("\n");
}

const USAGE = `usage: npx tsx bench/layers.ts [--sim verilator|iverilog] [--batch N] [--clock MHZ] [--json] [--write] [--no-synth] [--only NAME,...]

The LeNet and VGG-like layers through the simulated SPEC2 RTL: cycles, PE utilisation, model error, PE cost.

  --sim NAME        verilator (default) or iverilog
  --batch N         images streamed back to back per layer (default 8)
  --clock MHZ       clock for the images-per-second figures (default 200)
  --json            the figures as JSON
  --write           store them in bench/results/layers.json
  --no-synth        leave out the PE costs (no Yosys)
  --only NAMES      only these layers
  -h, --help        this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: { sim: { type: "string" }, batch: { type: "string" }, clock: { type: "string" }, json: { type: "boolean" }, write: { type: "boolean" }, "no-synth": { type: "boolean" }, only: { type: "string" } },
  });
  if (!cl) return;
  const sim = choiceOption(cl, "sim", ["verilator", "iverilog"] as const, "verilator");
  const batch = integerOption(cl, "batch", { min: 1 }, 8);
  const clockMHz = positiveNumberOption(cl, "clock", 200);
  const only = stringOption(cl, "only")?.split(",");
  const all = benchLayers();
  const unknown = (only ?? []).filter((n) => !all.some((l) => l.name === n));
  if (unknown.length > 0) throw new UsageError(`--only: unknown layer ${unknown.join(", ")}; the layers are ${all.map((l) => l.name).join(", ")}`, USAGE);
  const layers = all.filter((l) => !only || only.includes(l.name));
  const peCache = new Map<string, PeCost>();
  const rows: LayerFigures[] = [];
  for (const l of layers) {
    process.stderr.write(`layers: ${l.name} ...\n`);
    rows.push(await measure(l, batch, sim, cl.values["no-synth"] !== true, peCache));
  }
  const result = { clockMHz, simulator: sim, batch, layers: rows };
  process.stdout.write(cl.values.json === true ? `${JSON.stringify(result)}\n` : `${formatTable(rows, clockMHz)}\n`);
  if (cl.values.write === true) {
    const file = join(dirname(fileURLToPath(import.meta.url)), "results", "layers.json");
    writeFileAtomic(file, JSON.stringify({ command: `npx tsx bench/layers.ts --sim ${sim} --batch ${batch} --write`, ...result }, null, 1) + "\n");
  }
  if (rows.some((r) => r.mismatches > 0)) throw new CliError("some outputs differ from the golden model");
}

if (isMain(import.meta.url)) runMain("layers", main, (e) => (e instanceof SimError || e instanceof YosysError ? 1 : undefined));
