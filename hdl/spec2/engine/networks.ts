/**
 * The networks `run-network.ts` runs on the engine, as conv-layer lists (NetworkLayer) and their
 * input words:
 *
 *   lenet, vgg-mnist  the committed weights (weights/<network>/, spectral/weights.ts), the 2x2
 *                     pooling after each conv as in the trained networks (prune/lenet.ts,
 *                     prune/vgg-mnist.ts), the first MNIST test digits as inputs
 *   vgg16             VGG16's 13 conv layers (perf/vgg16.ts) at a reduced input size, channel
 *                     counts unchanged, pooling after each block; seeded random weights pruned
 *                     to density 0.25 and random inputs in [-1, 1). Each layer's output fraction
 *                     bits are chosen from its golden output on the first image (largest word
 *                     near 2^13) and are the next layer's input fraction bits, so the maps
 *                     neither vanish nor saturate through the 13 layers.
 */
import { loadMnist } from "../../../spectral/mnist";
import { goldenConvLayer, quantizeActivations } from "../../../spectral/fixed";
import { fixedLayerOf, loadWeights } from "../../../spectral/weights";
import { randomLayer, lcg } from "../perf/random-layer";
import { VGG16_CONV } from "../perf/vgg16";
import { goldenLayer, type NetworkLayer } from "./network-driver";
import { VGG16_WEIGHT_BITS } from "./configs";

export const NETWORKS = ["vgg16", "vgg-mnist", "lenet"] as const;
export type NetworkName = (typeof NETWORKS)[number];

export interface EngineNetwork {
  readonly name: NetworkName;
  readonly layers: NetworkLayer[];
  /** the first layer's input words of `images` images */
  readonly inputs: Int32Array[];
  /** input height and width */
  readonly inputSize: number;
}

/** Conv layers followed by a 2x2 max-pool in the trained networks. */
const POOLED: Readonly<Record<"lenet" | "vgg-mnist", readonly boolean[]>> = {
  lenet: [true, true],
  "vgg-mnist": [false, true, false, true, true],
};

const VGG16_POOLED = new Set(["conv1_2", "conv2_2", "conv3_3", "conv4_3", "conv5_3"]);
const DENSITY = 0.25;

/** A trained network's conv layers from its weights directory, and the first MNIST test digits. */
export function trainedNetwork(name: "lenet" | "vgg-mnist", images: number, dir = `weights/${name}`): EngineNetwork {
  const m = loadWeights(dir);
  const pooled = POOLED[name];
  if (m.layers.length !== pooled.length) throw new Error(`${dir}: ${m.layers.length} conv layers, ${name} has ${pooled.length}`);
  const layers = m.layers.map((l, i) => ({ name: l.name, fixed: fixedLayerOf(m, i), pool: pooled[i]! }));
  const first = layers[0]!.fixed;
  const digits = loadMnist("test", images);
  const inputs = Array.from({ length: digits.count }, (_, i) => quantizeActivations(digits.images.subarray(i * 784, (i + 1) * 784), first.formats.inFrac, first.formats.actBits));
  return { name, layers, inputs, inputSize: first.h };
}

/** VGG16's conv layers at a `size` x `size` input (each block halves it, at least 1), random weights (density 0.25, VGG16_WEIGHT_BITS words) and inputs, seeded. */
export function vgg16Network(size: number, images: number, seed = 1, onLayer?: (name: string) => void): EngineNetwork {
  const scale = size / 224;
  const r = lcg(seed);
  const inputRange = 1;
  const raw = Array.from({ length: images }, () => Float64Array.from({ length: 3 * size * size }, () => r() * 2 - 1));
  const layers: NetworkLayer[] = [];
  let range = inputRange;
  let golden: ArrayLike<number> | undefined;
  let inputs: Int32Array[] = [];
  for (const [i, v] of VGG16_CONV.entries()) {
    const h = Math.max(1, Math.round(v.h * scale));
    const shape = { cin: v.cin, cout: v.cout, h, w: h, k: v.k, p: v.p, K: 8, density: DENSITY, relu: true, inputRange: range, weightBits: VGG16_WEIGHT_BITS, pOut: 1, pIn: 1 }; // the parallelism of a Spec2Layer: unused here
    const probe = randomLayer(shape, seed * 1000 + i).acc.layer;
    if (i === 0) {
      inputs = raw.map((x) => quantizeActivations(x, probe.formats.inFrac, probe.formats.actBits));
      golden = inputs[0]!;
    }
    // output fraction bits from the golden output of the first image: largest |word| near 2^13
    const y = goldenConvLayer(probe, golden!);
    const peak = y.reduce((m, q) => Math.max(m, Math.abs(q)), 1);
    const outFrac = probe.formats.outFrac + Math.floor(Math.log2(2 ** 13 / peak));
    const fixed = randomLayer({ ...shape, outFrac }, seed * 1000 + i).acc.layer;
    const layer = { name: v.name, fixed, pool: VGG16_POOLED.has(v.name) };
    layers.push(layer);
    golden = goldenLayer(layer, golden!);
    range = (2 ** 15 - 1) / 2 ** outFrac; // the next layer's inFrac = this outFrac
    onLayer?.(v.name);
  }
  return { name: "vgg16", layers, inputs, inputSize: size };
}
