/**
 * Runs every conv layer of a network through the engine RTL (engine/engine-core.ts, simulated
 * with its external memory model) and compares each layer's output words with the golden model.
 *
 *   npx tsx hdl/spec2/run-network.ts --network vgg16|vgg-mnist|lenet [--input-size S] [--images N]
 *       [--batch B] [--sim iverilog|verilator|js] [--pes OxI] [--max-depth N] [--seed N] [--json]
 *
 * --json prints { "network", "inputSize", "images", "batch", "simulator", "pes", "maxDepth", "passes", "memory",
 * "layers": [{ "name", "cycles", "modelCycles", "mismatches", "peUtilisation", "dramBytes",
 * "modelDramBytes" }], "mismatches" } on stdout (cycles, model cycles and bytes summed over the
 * images); otherwise a
 * table. Progress goes to stderr. Exit status 1 when any output word differs.
 */
import { isMain } from "../core";
import { CliError, choiceOption, integerOption, parseCommandLine, runMain, stringOption } from "../core/cli";
import { SimCompileError, SimError, type Backend } from "../../sim";
import { MnistError } from "../../spectral/mnist";
import { DEFAULT_ENGINE_MEMORY, DEFAULT_MAX_DEPTH, runNetwork, type NetworkRun } from "./engine/network-driver";
import { parsePeGrid } from "./pe-grid-option";
import { NETWORKS, trainedNetwork, vgg16Network, type EngineNetwork } from "./engine/networks";

const USAGE = `usage: npx tsx hdl/spec2/run-network.ts --network vgg16|vgg-mnist|lenet [options]

Runs every conv layer of a network through the engine RTL from a simulated external memory
(64-byte beats, 64 bytes per clock, latency 20) and compares each layer's output words with
the golden model.

  --network NAME      vgg16 (the 13 conv layers at a reduced input size, random weights at
                      density 0.25 in 8-bit words as the vgg16 build's, seeded), vgg-mnist or
                      lenet (the committed weights, MNIST test digits)
  --input-size S      vgg16's input height and width (default 32); the MNIST networks take 28
  --images N          images run (default 1)
  --batch B           images a command runs on one fetch of its weights, 1..256 (default 1;
                      the images go in batches of B, the last one smaller)
  --sim NAME          verilator (default), iverilog or js (in Node, no build)
  --pes OxI           the PE grid pOut x pIn (default 4x4 for vgg16, else 2x2)
  --max-depth N       rows of a weight bank (default 8192 for vgg16, else 2048); deeper layers
                      run in output-channel passes
  --seed N            vgg16's weights and inputs (default 1)
  --json              the result as JSON on stdout
  -h, --help          this text`;

/** VGG16's 512-input layers at 4 x 4 PEs: 320 schedule rows per output channel (128 rounds x 10 / 4), passes of 24. */
const VGG16_MAX_DEPTH = 8192;

function table(net: EngineNetwork, run: NetworkRun, images: number): string {
  const rows = run.layers.map((l) => {
    const err = l.modelCycles > 0 ? `${((100 * (l.cycles - l.modelCycles)) / l.modelCycles).toFixed(1)}%` : "-";
    return [l.name, String(l.cycles), String(l.modelCycles), err, String(l.mismatches), `${(100 * l.peUtilisation).toFixed(1)}%`, String(l.dramBytes), String(l.modelDramBytes)];
  });
  const head = ["layer", "cycles", "model", "rtl vs model", "mismatches", "PE use", "DRAM bytes", "model bytes"];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ");
  return [
    `${net.name}, ${net.inputSize} x ${net.inputSize}, ${images} image(s) in batches of ${run.build.maxBatch ?? 1}, PEs ${run.build.pOut} x ${run.build.pIn} (sums over the images)`,
    line(head),
    ...rows.map(line),
    `mismatches: ${run.mismatches}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: {
      network: { type: "string" }, "input-size": { type: "string" }, images: { type: "string" }, batch: { type: "string" },
      sim: { type: "string" }, pes: { type: "string" }, "max-depth": { type: "string" }, seed: { type: "string" }, json: { type: "boolean" },
    },
  });
  if (!cl) return;
  const name = choiceOption(cl, "network", NETWORKS, "vgg16");
  if (stringOption(cl, "network") === undefined) throw new CliError(`--network is required (${NETWORKS.join(", ")})`, 2);
  const images = integerOption(cl, "images", { min: 1, max: 10_000 }, 1);
  const batch = integerOption(cl, "batch", { min: 1, max: 256 }, 1);
  const sim: Backend = choiceOption(cl, "sim", ["verilator", "iverilog", "js"] as const, "verilator");
  const grid = parsePeGrid(stringOption(cl, "pes") ?? (name === "vgg16" ? "4x4" : "2x2"));
  const seed = integerOption(cl, "seed", { min: 0 }, 1);
  const maxDepth = integerOption(cl, "max-depth", { min: 16, max: 1 << 20 }, name === "vgg16" ? VGG16_MAX_DEPTH : DEFAULT_MAX_DEPTH);
  const sizeText = stringOption(cl, "input-size");
  let net: EngineNetwork;
  if (name === "vgg16") {
    const size = integerOption(cl, "input-size", { min: 16, max: 224 }, 32);
    net = vgg16Network(size, images, seed, (layer) => process.stderr.write(`run-network: vgg16 ${layer} made (random weights, golden output fraction bits)\n`));
  } else {
    if (sizeText !== undefined && sizeText !== "28") throw new CliError(`--input-size ${sizeText}: ${name} takes the 28 x 28 MNIST digits only`, 2);
    net = trainedNetwork(name, images);
  }
  const t0 = Date.now();
  process.stderr.write(`run-network: ${net.name}, ${net.layers.length} conv layers, ${images} image(s) on ${sim}\n`);
  const run = await runNetwork(net.layers, net.inputs, {
    ...grid,
    maxDepth,
    batch,
    backend: sim,
    onLayer: (layer, imagesDone) => {
      process.stderr.write(`run-network: ${net.layers[layer]!.name} done for images 1..${imagesDone} of ${images} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    },
  });
  const m = DEFAULT_ENGINE_MEMORY;
  if (cl.values.json) {
    const json = {
      network: net.name, inputSize: net.inputSize, images, batch, simulator: sim, pes: grid, maxDepth,
      passes: run.passes.map((p) => p.length),
      memory: { dataBytes: m.dataBytes, bytesPerCycle: m.bytesPerCycle, latency: m.latency },
      layers: run.layers, mismatches: run.mismatches,
    };
    process.stdout.write(`${JSON.stringify(json, null, 1)}\n`);
  } else {
    process.stdout.write(`${table(net, run, images)}\n`);
  }
  if (run.mismatches > 0) process.exitCode = 1;
}

/** A simulator that fails or is missing and a missing MNIST file end the run with one line (exit 1). */
function exitCode(e: unknown): number | undefined {
  if (e instanceof SimCompileError || e instanceof SimError || e instanceof MnistError) return 1;
  return undefined;
}

if (isMain(import.meta.url)) runMain("run-network", main, exitCode);
