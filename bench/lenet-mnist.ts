/**
 * LeNet-5 on real MNIST with both conv layers on the simulated SPEC2 RTL and
 * the rest (pooling, fully-connected layers) in TypeScript.
 *
 *   npx tsx bench/lenet-mnist.ts [--images N] [--batch B] [--sim verilator|iverilog|js] [--json] [--weights DIR] [--clock MHZ]
 *
 * Prints the accuracy, the images whose prediction differs from the fixed-point
 * golden model (there must be none; conv outputs are also compared word for
 * word), cycles per image and images per second at the stated clock. Images stream through
 * each layer back to back in batches (--batch, default 64; cycles per image are batch cycles /
 * batch size), split over two simulator processes per layer (both cores; on the JS backend, which
 * simulates inside Node, two worker threads: bench/workers/layer-shard.ts). Progress on stderr.
 */
import { Worker } from "node:worker_threads";
import { isMain } from "../hdl/core";
import { CliError, choiceOption, integerOption, parseCommandLine, positiveNumberOption, runMain, stringOption } from "../hdl/core/cli";
import { DEFAULT_WEIGHTS, LENET_PARALLELISM } from "../hdl/spec2/configs";
import type { Spec2LayerParams } from "../hdl/spec2/layer";
import { runLayerBatch } from "../hdl/spec2/layer-driver";
import { SimError, type Backend } from "../sim";
import { dequantize, goldenConvLayer, quantizeActivations, type FixedLayer } from "../spectral/fixed";
import { Progress } from "../prune/io";
import { LeNet, argmax, maxpool2 } from "../prune/lenet";
import { loadMnist } from "../prune/mnist";
import { loadModel } from "../prune/model-file";
import { fixedLayerOf, loadWeights } from "../spectral/weights";
import type { ShardJob, ShardResult } from "./workers/layer-shard";

export interface LeNetRtlResult {
  readonly images: number;
  /** images streamed back to back per simulation */
  readonly batch: number;
  readonly simulator: Backend;
  readonly accuracy: number;
  /** Images whose RTL prediction differs from the golden model's. */
  readonly mismatches: number;
  /** Conv output words that differ from the golden model (must be 0). */
  readonly wordMismatches: number;
  readonly goldenAccuracy: number;
  readonly cyclesPerImage: number;
  readonly cyclesPerImageByLayer: { readonly conv1: number; readonly conv2: number };
  readonly clockMHz: number;
  /** One image after another, each layer waiting for the previous: clock / (conv1 + conv2 cycles). */
  readonly imagesPerSecond: number;
  /** Both layers busy on different images (they are separate hardware): clock / max(conv1, conv2). */
  readonly imagesPerSecondPipelined: number;
  readonly peUtilisation: { readonly conv1: number; readonly conv2: number };
  readonly mismatchedImages: readonly number[];
}

interface LayerResult {
  readonly outputs: Int32Array[];
  readonly cycles: number;
  readonly macs: number;
}

function runInWorker(job: ShardJob, onImage: () => void): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    // The worker loads TypeScript through tsx's loader, registered before the shard's module.
    const entry = new URL("./workers/layer-shard.ts", import.meta.url).href;
    const boot = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
    const w = new Worker(boot, { eval: true, workerData: job });
    w.on("message", (m: { image?: number; result?: ShardResult }) => {
      if (m.image !== undefined) onImage();
      if (m.result) resolve(m.result);
    });
    w.on("error", reject);
    w.on("exit", (code) => {
      if (code !== 0) reject(new Error(`layer worker exited with code ${code}`));
    });
  });
}

/** Runs `maps` through the layer in batches of `batch`, split over `shards` simulator processes running at once. */
async function runSharded(params: Spec2LayerParams, maps: Int32Array[], backend: Backend, shards: number, batch: number, progress: Progress): Promise<LayerResult> {
  const size = Math.ceil(maps.length / shards);
  const parts = Array.from({ length: shards }, (_, s) => maps.slice(s * size, (s + 1) * size)).filter((p) => p.length > 0);
  let done = 0;
  if (backend === "js") {
    // The JS backend simulates in this process: each shard gets a thread.
    const results = await Promise.all(parts.map((part) => runInWorker({ params, maps: part, batch }, () => progress.update(++done))));
    return { outputs: results.flatMap((r) => r.outputs), cycles: results.reduce((s, r) => s + r.cycles, 0), macs: results.reduce((s, r) => s + r.macs, 0) };
  }
  const results = await Promise.all(
    parts.map(async (part) => {
      const res: LayerResult = { outputs: [], cycles: 0, macs: 0 };
      for (let b = 0; b < part.length; b += batch) {
        const run = await runLayerBatch(params, part.slice(b, b + batch), { backend, capacity: batch, onImage: () => progress.update(++done) });
        res.outputs.push(...run.outputs);
        Object.assign(res, { cycles: res.cycles + run.cycles, macs: res.macs + run.macs });
      }
      return res;
    }),
  );
  return { outputs: results.flatMap((r) => r.outputs), cycles: results.reduce((s, r) => s + r.cycles, 0), macs: results.reduce((s, r) => s + r.macs, 0) };
}

export async function runLeNetOnRtl(opts: { images: number; backend: Backend; batch?: number; weightsDir?: string; clockMHz?: number; quiet?: boolean; shards?: number }): Promise<LeNetRtlResult> {
  const dir = opts.weightsDir ?? DEFAULT_WEIGHTS;
  const manifest = loadWeights(dir);
  const l1 = fixedLayerOf(manifest, 0);
  const l2 = fixedLayerOf(manifest, 1);
  const theta = loadModel(dir);
  const test = loadMnist("test", opts.images);
  const n = test.count;
  const net = new LeNet();
  const shards = opts.shards ?? 2;
  const batch = Math.min(opts.batch ?? 64, Math.ceil(n / shards));
  const params1: Spec2LayerParams = { layer: l1, ...LENET_PARALLELISM.conv1! };
  const params2: Spec2LayerParams = { layer: l2, ...LENET_PARALLELISM.conv2! };

  const maps1 = Array.from({ length: n }, (_, i) => quantizeActivations(test.images.subarray(i * 784, (i + 1) * 784), l1.formats.inFrac, l1.formats.actBits));
  const p1 = new Progress(`conv1 on ${opts.backend}`, n, opts.quiet);
  const r1 = await runSharded(params1, maps1, opts.backend, shards, batch, p1);
  p1.done();
  const maps2 = r1.outputs.map((o) => Int32Array.from(maxpool2(Float64Array.from(o), 6, 24, 24, undefined)));
  const p2 = new Progress(`conv2 on ${opts.backend}`, n, opts.quiet);
  const r2 = await runSharded(params2, maps2, opts.backend, shards, batch, p2);
  p2.done();

  let correct = 0;
  let goldenCorrect = 0;
  let wordMismatches = 0;
  const mismatchedImages: number[] = [];
  for (let i = 0; i < n; i++) {
    const g1 = goldenConvLayer(l1, maps1[i]!);
    const g2 = goldenConvLayer(l2, Int32Array.from(maxpool2(Float64Array.from(g1), 6, 24, 24, undefined)));
    for (let q = 0; q < g1.length; q++) if (g1[q] !== r1.outputs[i]![q]) wordMismatches++;
    for (let q = 0; q < g2.length; q++) if (g2[q] !== r2.outputs[i]![q]) wordMismatches++;
    const pred = argmax(net.head(theta, dequantize(r2.outputs[i]!, l2.formats.outFrac)));
    const goldenPred = argmax(net.head(theta, dequantize(g2, l2.formats.outFrac)));
    if (pred === test.labels[i]) correct++;
    if (goldenPred === test.labels[i]) goldenCorrect++;
    if (pred !== goldenPred) mismatchedImages.push(i);
  }
  // batches of one shard run one after another; the shards are separate simulations of the same hardware
  const c1 = r1.cycles / n;
  const c2 = r2.cycles / n;
  const clockMHz = opts.clockMHz ?? 200;
  const P1 = LENET_PARALLELISM.conv1!.pOut * LENET_PARALLELISM.conv1!.pIn;
  const P2 = LENET_PARALLELISM.conv2!.pOut * LENET_PARALLELISM.conv2!.pIn;
  return {
    images: n,
    batch,
    simulator: opts.backend,
    accuracy: correct / n,
    mismatches: mismatchedImages.length,
    wordMismatches,
    goldenAccuracy: goldenCorrect / n,
    cyclesPerImage: c1 + c2,
    cyclesPerImageByLayer: { conv1: c1, conv2: c2 },
    clockMHz,
    imagesPerSecond: (clockMHz * 1e6) / (c1 + c2),
    imagesPerSecondPipelined: (clockMHz * 1e6) / Math.max(c1, c2),
    peUtilisation: { conv1: r1.macs / (P1 * r1.cycles), conv2: r2.macs / (P2 * r2.cycles) },
    mismatchedImages,
  };
}

const USAGE = `usage: npx tsx bench/lenet-mnist.ts [--images N] [--batch B] [--sim verilator|iverilog|js] [--json] [--weights DIR] [--clock MHZ]

LeNet-5 on MNIST test images with both conv layers on the simulated SPEC2 RTL.

  --images N      test images, 1 to 10000 (default 10000)
  --batch B       images streamed back to back per simulation (default 64)
  --sim NAME      verilator (default), iverilog or js (in Node, no build)
  --json          the result as JSON
  --weights DIR   pruned weights (default weights/lenet)
  --clock MHZ     clock for the images-per-second figures (default 200)
  -h, --help      this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: { images: { type: "string" }, batch: { type: "string" }, sim: { type: "string" }, json: { type: "boolean" }, weights: { type: "string" }, clock: { type: "string" } },
  });
  if (!cl) return;
  const images = integerOption(cl, "images", { min: 1, max: 10000 }, 10000);
  const backend = choiceOption(cl, "sim", ["verilator", "iverilog", "js"] as const, "verilator");
  const batch = integerOption(cl, "batch", { min: 1 }, 64);
  const clockMHz = positiveNumberOption(cl, "clock", 200);
  const weights = stringOption(cl, "weights");
  try {
    loadWeights(weights ?? DEFAULT_WEIGHTS);
  } catch (e) {
    throw new CliError(`--weights: ${(e as Error).message}`, 2);
  }
  const r = await runLeNetOnRtl({ images, backend, batch, clockMHz, ...(weights !== undefined ? { weightsDir: weights } : {}) });
  if (cl.values.json === true) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  process.stdout.write(
    [
      `LeNet-5, MNIST test images: ${r.images} (conv layers on ${r.simulator})`,
      `accuracy (RTL): ${pct(r.accuracy)}   golden model: ${pct(r.goldenAccuracy)}`,
      `predictions differing from the golden model: ${r.mismatches}${r.mismatches ? ` (images ${r.mismatchedImages.slice(0, 20).join(", ")})` : ""}; conv output words differing: ${r.wordMismatches}`,
      `cycles per image (batches of ${r.batch} back to back): ${r.cyclesPerImage.toFixed(0)} (conv1 ${r.cyclesPerImageByLayer.conv1.toFixed(0)}, conv2 ${r.cyclesPerImageByLayer.conv2.toFixed(0)})`,
      `PE utilisation: conv1 ${pct(r.peUtilisation.conv1)}, conv2 ${pct(r.peUtilisation.conv2)}`,
      `images per second at ${r.clockMHz} MHz: ${r.imagesPerSecond.toFixed(0)} one after another, ${r.imagesPerSecondPipelined.toFixed(0)} with the two layers pipelined`,
      "",
    ].join("\n"),
  );
  if (r.mismatches > 0 || r.wordMismatches > 0) process.exitCode = 1;
}

if (isMain(import.meta.url)) runMain("lenet-mnist", main, (e) => (e instanceof SimError ? 1 : undefined));
