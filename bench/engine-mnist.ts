/**
 * A trained MNIST network (vgg-mnist or LeNet-5, the committed weights) on the engine RTL: every
 * conv layer on the simulated EngineCore from external memory (hdl/spec2/engine/network-driver.ts),
 * compared word for word with the golden model, then the rest of the network (the last pooling,
 * the fully-connected layers) in TypeScript on the RTL's last conv output.
 *
 *   npx tsx bench/engine-mnist.ts [--network vgg-mnist|lenet] [--images N] [--sim verilator|iverilog|js] [--pes OxI] [--batch B] [--chunk C] [--json]
 *
 * Prints the accuracy on the first N test digits (default all 10,000), the conv output words that
 * differ from the golden model (there must be none), the images whose prediction differs from the
 * golden model's, and the engine's clocks per image by layer. Progress on stderr.
 */
import { isMain } from "../hdl/core";
import { choiceOption, integerOption, parseCommandLine, runMain, stringOption } from "../hdl/core/cli";
import { runNetwork } from "../hdl/spec2/engine/network-driver";
import { parsePeGrid } from "../hdl/spec2/pe-grid-option";
import { trainedNetwork } from "../hdl/spec2/engine/networks";
import { SimCompileError, SimError, type Backend } from "../sim";
import { MnistError, loadMnist } from "../spectral/mnist";
import { dequantize } from "../spectral/fixed";
import { makeNet } from "../prune/networks";
import { loadModel } from "../prune/model-file";
import { argmax } from "../prune/net";

const USAGE = `usage: npx tsx bench/engine-mnist.ts [options]

A trained network's conv layers on the engine RTL (one build, weights and maps in a simulated
external memory), the fully-connected layers in TypeScript; accuracy on the MNIST test digits.

  --network NAME   vgg-mnist (default) or lenet
  --images N       the first N test digits (default 10000)
  --sim NAME       verilator (default), iverilog or js
  --pes OxI        the PE grid (default 2x2)
  --batch B        digits a command runs on one fetch of its weights, 1..256 (default 1)
  --chunk C        digits whose maps share one simulated memory (default 250)
  --json           the result as JSON on stdout
  -h, --help       this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: { network: { type: "string" }, images: { type: "string" }, sim: { type: "string" }, pes: { type: "string" }, batch: { type: "string" }, chunk: { type: "string" }, json: { type: "boolean" } },
  });
  if (!cl) return;
  const name = choiceOption(cl, "network", ["vgg-mnist", "lenet"] as const, "vgg-mnist");
  const images = integerOption(cl, "images", { min: 1, max: 10_000 }, 10_000);
  const sim: Backend = choiceOption(cl, "sim", ["verilator", "iverilog", "js"] as const, "verilator");
  const chunk = integerOption(cl, "chunk", { min: 1, max: 10_000 }, 250);
  const batch = integerOption(cl, "batch", { min: 1, max: 256 }, 1);
  const grid = parsePeGrid(stringOption(cl, "pes") ?? "2x2");
  const t0 = Date.now();
  const net = trainedNetwork(name, images);
  // the head (prune/net.ts) starts after the last conv: its pooling runs there, on the unpooled map
  const layers = net.layers.map((l, i) => (i === net.layers.length - 1 ? { ...l, pool: false } : l));
  const last = layers[layers.length - 1]!.fixed;
  const model = makeNet(name);
  const theta = loadModel(`weights/${name}`, name);
  const labels = loadMnist("test", images).labels;
  process.stderr.write(`engine-mnist: ${name}, ${images} digits on ${sim}, PEs ${grid.pOut} x ${grid.pIn}, batches of ${batch}\n`);
  const run = await runNetwork(layers, net.inputs, {
    ...grid,
    backend: sim,
    chunk,
    batch,
    onLayer: (layer, done) => {
      if (layer === layers.length - 1) process.stderr.write(`engine-mnist: ${done} of ${images} digits (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    },
  });
  const predict = (y: ArrayLike<number>): number => argmax(model.head(theta, dequantize(y, last.formats.outFrac)));
  let correct = 0;
  let goldenCorrect = 0;
  const differ: number[] = [];
  net.inputs.forEach((_, i) => {
    const p = predict(run.outputs[i]!);
    const pg = predict(run.goldenOutputs[i]!);
    if (p === labels[i]) correct++;
    if (pg === labels[i]) goldenCorrect++;
    if (p !== pg) differ.push(i);
  });
  const result = {
    network: name, images, batch, simulator: sim, pes: grid,
    accuracy: correct / images, goldenAccuracy: goldenCorrect / images,
    mismatches: run.mismatches, predictionsDiffering: differ.length,
    cyclesPerImage: Object.fromEntries(run.layers.map((l) => [l.name, l.cycles / images])),
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  };
  if (cl.values.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else {
    process.stdout.write(
      [
        `${name} on the engine RTL (${sim}, batches of ${batch}), ${images} test digits: accuracy ${(100 * result.accuracy).toFixed(2)}% (golden model ${(100 * result.goldenAccuracy).toFixed(2)}%)`,
        `conv output words differing from the golden model: ${run.mismatches}; predictions differing: ${differ.length}`,
        `clocks per digit: ${run.layers.map((l) => `${l.name} ${(l.cycles / images).toFixed(0)}`).join(", ")}; ${result.wallSeconds} s`,
      ].join("\n") + "\n",
    );
  }
  if (run.mismatches > 0 || differ.length > 0) process.exitCode = 1;
}

function exitCode(e: unknown): number | undefined {
  if (e instanceof SimCompileError || e instanceof SimError || e instanceof MnistError) return 1;
  return undefined;
}

if (isMain(import.meta.url)) runMain("engine-mnist", main, exitCode);
