/**
 * Speed of the training engine, one thread: milliseconds per image of forward + backward
 * (one sample's loss and gradient, `SpectralNet.lossAndGrad`) and of forward only, on real
 * MNIST images, for LeNet-5 and VGG-style networks of several widths. Also masked (retraining)
 * forward + backward at density 0.25 where the network supports masks.
 *
 *   npx tsx prune/bench.ts [--widths 8-16-32,16-32-64,32-64-128] [--images 64] [--repeat 3]
 *
 * Prints one line per network; each figure is the best of `repeat` passes over `images` images
 * (the best pass is the one least disturbed by other work on the machine).
 */
import { isMain } from "../hdl/core/main";
import { keptPerKernel } from "../spectral/layout";
import { helpText, parseOptions, type OptionSpec } from "./args";
import { LENET_DEF } from "./lenet";
import { loadMnist } from "./mnist";
import { SpectralNet, type NetworkDef } from "./net";
import { masksFromWeights } from "./train";
import { vggDef } from "./vgg-mnist";

const OPTIONS: readonly OptionSpec[] = [
  { name: "widths", kind: "string", help: "VGG-style channel counts c1-c2-c3, comma-separated", defaultText: "8-16-32,16-32-64,32-64-128" },
  { name: "images", kind: "int", min: 1, help: "images per pass", defaultText: "64" },
  { name: "repeat", kind: "int", min: 1, help: "passes; the best is reported", defaultText: "3" },
  { name: "help", kind: "flag", help: "print this help and exit" },
];

/** samples per shard of a training batch: batch 32 over engine.ts's 2 shards */
const SHARD = 16;

function best(repeat: number, f: () => void): number {
  let t = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

export interface EngineSpeed {
  title: string;
  trainMs: number;
  forwardMs: number;
  /** masked retraining at density 0.25, when the engine supports masks */
  maskedTrainMs?: number;
}

export function measure(def: NetworkDef, images: number, repeat: number): EngineSpeed {
  const data = loadMnist("train", images);
  const net = new SpectralNet(def);
  const theta = net.init(1);
  const grad = new Float64Array(net.size);
  const img = (i: number): Float64Array => data.images.subarray(i * 784, (i + 1) * 784);
  // the engine since batchLossAndGrad: weights loaded once per shard of a batch (SHARD samples), as in training
  const fast = net as Partial<Pick<SpectralNet, "batchLossAndGrad" | "withWeights">>;
  const shards = (f: (lo: number, hi: number) => void): void => {
    for (let lo = 0; lo < images; lo += SHARD) f(lo, Math.min(images, lo + SHARD));
  };
  const train = best(repeat, () => {
    if (fast.batchLossAndGrad) shards((lo, hi) => net.batchLossAndGrad(theta, undefined, hi - lo, (q) => [img(lo + q), data.labels[lo + q]!], grad));
    else for (let i = 0; i < images; i++) net.lossAndGrad(theta, img(i), data.labels[i]!, grad);
  });
  const predictAll = (): void => {
    for (let i = 0; i < images; i++) net.predict(theta, img(i));
  };
  const forward = best(repeat, () => (fast.withWeights ? net.withWeights(theta, undefined, predictAll) : predictAll()));
  const out: EngineSpeed = { title: def.title, trainMs: train / images, forwardMs: forward / images };
  if (fast.batchLossAndGrad) {
    const masks = masksFromWeights(net, keptPerKernel(8, 0.25), theta);
    const pruned = theta.slice();
    masks.forEach((m, c) => {
      const W = pruned.subarray(...net.convW(c));
      for (let j = 0; j < m.length; j++) if (!m[j]) W[2 * j] = W[2 * j + 1] = 0;
    });
    const masked = best(repeat, () => shards((lo, hi) => net.batchLossAndGrad(pruned, masks, hi - lo, (q) => [img(lo + q), data.labels[lo + q]!], grad)));
    out.maskedTrainMs = masked / images;
  }
  return out;
}

export function main(argv: string[]): void {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) {
    process.stdout.write(helpText("usage: npx tsx prune/bench.ts [options]\n\nTraining-engine speed, one thread, milliseconds per image.", OPTIONS));
    return;
  }
  const images = Number(v.images ?? 64);
  const repeat = Number(v.repeat ?? 3);
  const widths = String(v.widths ?? "8-16-32,16-32-64,32-64-128")
    .split(",")
    .map((w) => w.split("-").map(Number) as [number, number, number]);
  const defs = [LENET_DEF, ...widths.map((w) => vggDef(...w))];
  for (const def of defs) {
    const r = measure(def, images, repeat);
    const masked = r.maskedTrainMs === undefined ? "" : `, masked (density 0.25) train ${r.maskedTrainMs.toFixed(2)} ms`;
    process.stdout.write(`${r.title}: train ${r.trainMs.toFixed(2)} ms/image, forward ${r.forwardMs.toFixed(2)} ms/image${masked}\n`);
  }
}

if (isMain(import.meta.url)) main(process.argv.slice(2));
