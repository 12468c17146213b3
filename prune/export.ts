/** Quantise + export phase of prune/run.ts: weights directory, report.json, model.json, pictures. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { halfPlaneSize, keptPerKernel } from "../spectral/layout";
import { macShift, type FixedLayer } from "../spectral/fixed/layer";
import { quantizeNet, CALIB_IMAGES, CALIB_MARGIN } from "./fixedeval";
import { evaluateFixedThreads } from "./fixed-parallel";
import { log, replaceDirAtomic } from "./io";
import type { MnistSplit } from "./mnist";
import { writeModel } from "./model-file";
import type { SpectralNet } from "./net";
import { makeNet } from "./networks";
import { countPerKernel } from "../spectral/project";
import { commandLine, type PhaseResults, type RunOptions } from "./run-options";
import { keptPositionsSvg } from "./svg";
import type { Masks } from "./train";
import { indexBits, WEIGHTS_FORMAT, WEIGHTS_VERSION, writeWeights, type Manifest, type ManifestLayer } from "../spectral/weights";

const K_FFT = 8;

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

/** Names of the conv layers, in order. */
export function convNames(net: SpectralNet): string[] {
  return net.convLayers.map((li) => {
    const l = net.def.layers[li]!;
    return l.kind === "conv" ? l.name : `layer${li}`;
  });
}

/** The masks of a run; density 1 keeps every layout entry. */
export function runMasks(net: SpectralNet, res: PhaseResults): Masks {
  const L = halfPlaneSize(K_FFT);
  return res.retrain.masks ?? net.convLayers.map((_, c) => new Uint8Array(net.kernels(c) * L).fill(1));
}

export async function exportRun(o: RunOptions, res: PhaseResults, train: MnistSplit, test: MnistSplit, t0: number): Promise<void> {
  const net = makeNet(o.network);
  const names = convNames(net);
  const theta = res.retrain.theta;
  const L = halfPlaneSize(K_FFT);
  const n = keptPerKernel(K_FFT, o.density);
  const masks = runMasks(net, res);
  masks.forEach((m, c) => {
    const counts = countPerKernel(m, L);
    if (counts.some((k) => k !== n)) throw new Error(`${names[c]}: sparsity is not balanced (${counts.join(",")})`);
  });
  log(o.quiet, `quantising (formats calibrated on ${CALIB_IMAGES} training images, margin ${CALIB_MARGIN}x)`);
  const layers = quantizeNet(net, theta, masks, train);
  const fx = await evaluateFixedThreads(o.network, theta, layers, test, o.threads, "test pruned fixed-point (golden model conv layers)", o.quiet);
  const command = commandLine(o);
  const manifest = buildManifest(
    o.density,
    o.train.seed,
    command,
    layers.map((l, c) => [names[c]!, l]),
  );
  const byName = <T>(f: (c: number) => T): Record<string, T> => Object.fromEntries(names.map((nm, c) => [nm, f(c)]));
  const positions = (m: Uint8Array, kernels: number): number[] => {
    const cnt = new Array<number>(L).fill(0);
    for (let q = 0; q < kernels; q++) for (let j = 0; j < L; j++) cnt[j] += m[q * L + j]!;
    return cnt;
  };
  const epochLog = [...res.dense.log, ...(res.admm === res.dense ? [] : [...res.admm.log, ...res.retrain.log])];
  const report = {
    network: o.network,
    title: net.def.title,
    density: o.density,
    n,
    layoutEntries: L,
    K: K_FFT,
    seed: o.train.seed,
    command,
    split: { train: train.count, test: test.count },
    accuracy: {
      denseFloat: res.accuracy.denseFloat,
      prunedFloat: res.accuracy.prunedFloat,
      prunedFixed: fx.accuracy,
      prunedFloatBeforeRetraining: res.accuracy.prunedBeforeRetrain,
    },
    layers: manifest.layers.map((l) => ({
      name: l.name,
      inChannels: l.inChannels,
      outChannels: l.outChannels,
      kernelSize: l.kernelSize,
      padding: l.padding,
      inputHeight: l.inputHeight,
      inputWidth: l.inputWidth,
      relu: l.relu,
      n: l.n,
    })),
    fixedPoint: {
      disagreementsWithFloat: fx.disagreements,
      images: fx.images,
      sqnrDb: byName((c) => fx.sqnrDb[c]!),
      calibration: { images: CALIB_IMAGES, margin: CALIB_MARGIN },
      formats: byName((c) => manifest.layers[c]!.formats),
    },
    training: { ...o.train, threads: o.threads },
    log: epochLog,
    // this invocation (a resumed run's is short); the training epochs' own times sum to epochSeconds
    wallSeconds: Math.round((Date.now() - t0) / 1000),
    epochSeconds: epochLog.reduce((sum, line) => sum + Number(/\((\d+) s\)$/.exec(line)?.[1] ?? 0), 0),
  };
  const svg = keptPositionsSvg(
    K_FFT,
    masks.map((m, c) => ({ name: names[c]!, kernels: net.kernels(c), counts: positions(m, net.kernels(c)) })),
    `${net.def.title}: kept spectral positions, density ${o.density} (n = ${n} of ${L} per kernel)`,
  );
  replaceDirAtomic(o.out, (dir) => {
    writeWeights(dir, manifest);
    writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 1)}\n`);
    writeFileSync(join(dir, "kept-positions.svg"), svg);
    // The whole float model, so inference with the accelerator's conv layers needs no training run.
    writeModel(dir, theta, o.network);
  });
  const sq = names.map((nm, c) => `${nm} ${fx.sqnrDb[c]!.toFixed(1)} dB`).join(", ");
  log(
    o.quiet,
    `accuracy: dense float ${res.accuracy.denseFloat.toFixed(4)}, pruned float ${res.accuracy.prunedFloat.toFixed(4)}, pruned fixed ${fx.accuracy.toFixed(4)} (${fx.disagreements} disagreements, SQNR ${sq})`,
  );
}
