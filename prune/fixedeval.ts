/**
 * Quantising a trained network's conv layers and evaluating them through the golden model:
 * every conv layer (ReLU included) and the max-pools between them run on integer words
 * (goldenConvLayer); the float head is fed the dequantised output of the last conv layer.
 */
import { goldenConvLayer, type FixedLayer } from "../spectral/fixed/layer";
import { chooseFrac } from "../spectral/fixed/primitives";
import { dequantize, quantizeActivations, quantizeLayer } from "../spectral/fixed/quantize";
import { Progress } from "./io";
import { IMAGE_SIZE, type MnistSplit } from "./mnist";
import { argmax, maxpool2, view, type SpectralNet } from "./net";
import type { Masks } from "./train";

/** Input fraction bits of conv1: MNIST pixels are in [0, 1]. */
export const INPUT_FRAC = 14;
/** Calibration: activation formats are chosen for CALIB_MARGIN x the largest value seen. */
export const CALIB_MARGIN = 2;
export const CALIB_IMAGES = 2000;

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/**
 * Builds the golden-model layers: weight fraction bits from the largest kept |re|, |im| per
 * layer; output fraction bits from the largest post-ReLU float activation over the first
 * CALIB_IMAGES training images times CALIB_MARGIN; each conv's input format is the previous
 * conv's output format (max-pooling keeps it). Weight words are `weightBits` wide (re and im each).
 */
export function quantizeNet(net: SpectralNet, theta: Float64Array, masks: Masks | undefined, train: MnistSplit, weightBits = 16): FixedLayer[] {
  const peak = net.convLayers.map(() => 0);
  net.withWeights(theta, masks, () => {
    for (let i = 0; i < Math.min(CALIB_IMAGES, train.count); i++) {
      net.convOutputs(theta, train.images.subarray(i * PIXELS, (i + 1) * PIXELS)).forEach((a, c) => {
        let m = peak[c]!;
        for (const v of a) if (v > m) m = v;
        peak[c] = m;
      });
    }
  });
  let inFrac = INPUT_FRAC;
  return net.convShapes.map((shape, c) => {
    const outFrac = chooseFrac(peak[c]! * CALIB_MARGIN, 16);
    const l = quantizeLayer(shape, view(theta, net.convW(c)), view(theta, net.convB(c)), { inFrac, outFrac, relu: true, mask: masks?.[c], weightBits });
    inFrac = outFrac;
    return l;
  });
}

/** Integer conv part of one image: the golden output word maps of every conv layer. */
export function goldenConvOutputs(net: SpectralNet, layers: readonly FixedLayer[], img: ArrayLike<number>): Int32Array[] {
  const outs: Int32Array[] = [];
  let a = quantizeActivations(img, layers[0]!.formats.inFrac);
  for (let li = 0; li < net.headStart; li++) {
    const l = net.def.layers[li]!;
    if (l.kind === "conv") {
      a = goldenConvLayer(layers[outs.length]!, a);
      outs.push(a);
    } else if (l.kind === "pool") {
      const d = net.dims[li]!;
      a = Int32Array.from(maxpool2(Float64Array.from(a), d.c, d.h, d.w, undefined));
    }
  }
  return outs;
}

export interface FixedEval {
  accuracy: number;
  /** accuracy of the float model on the same images */
  floatAccuracy: number;
  /** test images whose fixed-point prediction differs from the float model's */
  disagreements: number;
  /** SQNR (dB) of each golden conv layer's output vs the float model over the evaluated images */
  sqnrDb: number[];
  images: number;
}

/** Per image: the float and fixed-point predictions and, per conv layer, signal and noise energy. */
export interface ImageEval {
  floatPred: number;
  fixedPred: number;
  /** [signal_0, noise_0, signal_1, noise_1, ...] */
  energy: number[];
}

export function evaluateImage(net: SpectralNet, theta: Float64Array, layers: readonly FixedLayer[], img: ArrayLike<number>): ImageEval {
  const last = layers.length - 1;
  const fl = net.convOutputs(theta, img);
  const floatPred = argmax(net.head(theta, fl[last]!));
  const gold = goldenConvOutputs(net, layers, img).map((y, c) => dequantize(y, layers[c]!.formats.outFrac));
  const energy: number[] = [];
  gold.forEach((g, c) => {
    const f = fl[c]!;
    let sig = 0;
    let noise = 0;
    for (let q = 0; q < g.length; q++) {
      sig += f[q]! ** 2;
      noise += (f[q]! - g[q]!) ** 2;
    }
    energy.push(sig, noise);
  });
  return { floatPred, fixedPred: argmax(net.head(theta, gold[last]!)), energy };
}

/** Accuracy, disagreements and SQNR from per-image results (summed in image order). */
export function summarise(results: readonly ImageEval[], labels: ArrayLike<number>, convLayers: number): FixedEval {
  let ok = 0;
  let okFloat = 0;
  let dis = 0;
  const e = new Array<number>(2 * convLayers).fill(0);
  results.forEach((r, i) => {
    if (r.fixedPred === labels[i]) ok++;
    if (r.floatPred === labels[i]) okFloat++;
    if (r.fixedPred !== r.floatPred) dis++;
    r.energy.forEach((v, q) => (e[q] += v));
  });
  const n = results.length;
  return {
    accuracy: ok / n,
    floatAccuracy: okFloat / n,
    disagreements: dis,
    sqnrDb: Array.from({ length: convLayers }, (_, c) => 10 * Math.log10(e[2 * c]! / e[2 * c + 1]!)),
    images: n,
  };
}

/** Runs the conv layers through the golden model and the head as the float model, in this thread. */
export function evaluateFixed(net: SpectralNet, theta: Float64Array, layers: readonly FixedLayer[], test: MnistSplit, label?: string, quiet = false): FixedEval {
  const pr = label ? new Progress(label, test.count, quiet) : undefined;
  const results: ImageEval[] = [];
  net.withWeights(theta, undefined, () => {
    for (let i = 0; i < test.count; i++) {
      results.push(evaluateImage(net, theta, layers, test.images.subarray(i * PIXELS, (i + 1) * PIXELS)));
      if (pr && i % 50 === 0) pr.update(i);
    }
  });
  const r = summarise(results, test.labels, layers.length);
  pr?.done(`accuracy ${r.accuracy.toFixed(4)}`);
  return r;
}
