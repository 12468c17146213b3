/** Quantise + export phase of prune/run.ts: weights directory, report.json, pictures. */
import { join } from "node:path";
import { halfPlaneSize, keptPerKernel } from "../spectral/layout";
import { macShift, type FixedLayer } from "../spectral/fixed/layer";
import { evaluateFixed, quantizeLeNet, CALIB_IMAGES, CALIB_MARGIN } from "./fixedeval";
import { log, replaceDirAtomic } from "./io";
import { K_FFT } from "./lenet";
import type { MnistSplit } from "./mnist";
import { countPerKernel } from "./project";
import { commandLine, type PhaseResults, type RunOptions } from "./run";
import { keptPositionsSvg } from "./svg";
import { writeModel } from "./model-file";
import { indexBits, WEIGHTS_FORMAT, WEIGHTS_VERSION, writeWeights, type Manifest, type ManifestLayer } from "./weights";
import { writeFileSync } from "node:fs";

export function manifestLayer(name: string, l: FixedLayer): ManifestLayer {
  const n = l.kernels[0]!.length;
  const ib = indexBits(l.K);
  return {
    name,
    inChannels: l.cin,
    outChannels: l.cout,
    kernelSize: l.k,
    padding: l.p,
    inputHeight: l.h,
    inputWidth: l.w,
    relu: l.relu,
    n,
    formats: { ...l.formats, macShift: macShift(l.K, l.formats) },
    bias: [...l.bias],
    rom: { file: `${name}.hex`, indexBits: ib, valueBits: l.formats.weightBits, wordBits: ib + 2 * l.formats.weightBits, words: l.cout * l.cin * n },
    kernels: Array.from({ length: l.cout }, (_, o) => Array.from({ length: l.cin }, (_, i) => ({ entries: l.kernels[o * l.cin + i]!.map((e) => ({ ...e })) }))),
  };
}

export function buildManifest(density: number, seed: number, command: string, layers: [string, FixedLayer][]): Manifest {
  return {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    K: K_FFT,
    layout: "u*(K/2+1)+v",
    density,
    n: keptPerKernel(K_FFT, density),
    seed,
    command,
    layers: layers.map(([name, l]) => manifestLayer(name, l)),
  };
}

export function exportRun(o: RunOptions, res: PhaseResults, train: MnistSplit, test: MnistSplit, t0: number): void {
  const theta = res.retrain.theta;
  const L = halfPlaneSize(K_FFT);
  // density 1: nothing pruned, every layout entry is kept
  const masks = res.retrain.masks ?? { m1: new Uint8Array(6 * L).fill(1), m2: new Uint8Array(96 * L).fill(1) };
  const n = keptPerKernel(K_FFT, o.density);
  for (const [name, m] of [
    ["conv1", masks.m1],
    ["conv2", masks.m2],
  ] as const) {
    const counts = countPerKernel(m, L);
    if (counts.some((c) => c !== n)) throw new Error(`${name}: sparsity is not balanced (${counts.join(",")})`);
  }
  log(o.quiet, `quantising (formats calibrated on ${CALIB_IMAGES} training images, margin ${CALIB_MARGIN}x)`);
  const layers = quantizeLeNet(theta, masks, train);
  const fx = evaluateFixed(theta, layers, test, "test pruned fixed-point (golden model conv layers)", o.quiet);
  const manifest = buildManifest(o.density, o.train.seed, commandLine(o), [
    ["conv1", layers[0]],
    ["conv2", layers[1]],
  ]);
  const positions = (m: Uint8Array, kernels: number): number[] => {
    const c = new Array<number>(L).fill(0);
    for (let q = 0; q < kernels; q++) for (let j = 0; j < L; j++) c[j] += m[q * L + j]!;
    return c;
  };
  const report = {
    density: o.density,
    n,
    layoutEntries: L,
    K: K_FFT,
    seed: o.train.seed,
    command: commandLine(o),
    split: { train: train.count, test: test.count },
    accuracy: {
      denseFloat: res.accuracy.denseFloat,
      prunedFloat: res.accuracy.prunedFloat,
      prunedFixed: fx.accuracy,
      prunedFloatBeforeRetraining: res.accuracy.prunedBeforeRetrain,
    },
    fixedPoint: {
      disagreementsWithFloat: fx.disagreements,
      images: fx.images,
      sqnrDb: { conv1: fx.sqnrConv1, conv2: fx.sqnrConv2 },
      calibration: { images: CALIB_IMAGES, margin: CALIB_MARGIN },
      formats: { conv1: manifest.layers[0]!.formats, conv2: manifest.layers[1]!.formats },
    },
    training: { ...o.train, threads: o.threads },
    log: [...res.dense.log, ...res.admm.log, ...res.retrain.log],
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  };
  const svg = keptPositionsSvg(
    K_FFT,
    [
      { name: "conv1", kernels: 6, counts: positions(masks.m1, 6) },
      { name: "conv2", kernels: 96, counts: positions(masks.m2, 96) },
    ],
    `Kept spectral positions, density ${o.density} (n = ${n} of ${L} per kernel), K = ${K_FFT}`,
  );
  replaceDirAtomic(o.out, (dir) => {
    writeWeights(dir, manifest);
    writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 1)}\n`);
    writeFileSync(join(dir, "kept-positions.svg"), svg);
    // The whole float model, so inference with the accelerator's conv layers needs no training run.
    writeModel(dir, theta);
  });
  log(
    o.quiet,
    `accuracy: dense float ${res.accuracy.denseFloat.toFixed(4)}, pruned float ${res.accuracy.prunedFloat.toFixed(4)}, pruned fixed ${fx.accuracy.toFixed(4)} (${fx.disagreements} disagreements, SQNR conv1 ${fx.sqnrConv1.toFixed(1)} dB, conv2 ${fx.sqnrConv2.toFixed(1)} dB)`,
  );
}
