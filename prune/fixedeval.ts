/** Quantising the trained LeNet's conv layers and evaluating them through the golden model. */
import { goldenConvLayer, type FixedLayer } from "../spectral/fixed/layer";
import { chooseFrac } from "../spectral/fixed/primitives";
import { dequantize, quantizeActivations, quantizeLayer } from "../spectral/fixed/quantize";
import { Progress } from "./io";
import { argmax, CONV1, CONV2, LAYOUT, LeNet, maxpool2, view } from "./lenet";
import type { MnistSplit } from "./mnist";
import type { Masks } from "./train";

/** Input fraction bits of conv1: MNIST pixels are in [0, 1]. */
export const INPUT_FRAC = 14;
/** Calibration: activation formats are chosen for CALIB_MARGIN x the largest value seen. */
export const CALIB_MARGIN = 2;
export const CALIB_IMAGES = 2000;

/**
 * Builds the two golden-model layers: weight fraction bits from the largest kept |re|, |im|
 * per layer; output fraction bits from the largest post-ReLU float activation over the first
 * CALIB_IMAGES training images times CALIB_MARGIN; conv2's input format = conv1's output format.
 */
export function quantizeLeNet(theta: Float64Array, masks: Masks | undefined, train: MnistSplit): [FixedLayer, FixedLayer] {
  const net = new LeNet();
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < Math.min(CALIB_IMAGES, train.count); i++) {
    const { a1, a2 } = net.convStages(theta, train.images.subarray(i * 784, (i + 1) * 784));
    for (const v of a1) m1 = Math.max(m1, v);
    for (const v of a2) m2 = Math.max(m2, v);
  }
  const out1 = chooseFrac(m1 * CALIB_MARGIN, 16);
  const out2 = chooseFrac(m2 * CALIB_MARGIN, 16);
  const l1 = quantizeLayer(CONV1, view(theta, LAYOUT.W1), view(theta, LAYOUT.b1), { inFrac: INPUT_FRAC, outFrac: out1, relu: true, mask: masks?.m1 });
  const l2 = quantizeLayer(CONV2, view(theta, LAYOUT.W2), view(theta, LAYOUT.b2), { inFrac: out1, outFrac: out2, relu: true, mask: masks?.m2 });
  return [l1, l2];
}

export interface FixedEval {
  accuracy: number;
  /** accuracy of the float model on the same images */
  floatAccuracy: number;
  /** test images whose fixed-point prediction differs from the float model's */
  disagreements: number;
  /** SQNR (dB) of the golden conv outputs vs the float model over the evaluated images */
  sqnrConv1: number;
  sqnrConv2: number;
  images: number;
}

/** Runs both conv layers through the golden model and the rest as the float model. */
export function evaluateFixed(theta: Float64Array, layers: [FixedLayer, FixedLayer], test: MnistSplit, label?: string, quiet = false): FixedEval {
  const net = new LeNet();
  const [l1, l2] = layers;
  const pr = label ? new Progress(label, test.count, quiet) : undefined;
  let ok = 0;
  let okFloat = 0;
  let dis = 0;
  const acc = { s1: 0, n1: 0, s2: 0, n2: 0 };
  for (let i = 0; i < test.count; i++) {
    const img = test.images.subarray(i * 784, (i + 1) * 784);
    const fl = net.convStages(theta, img);
    const floatPred = argmax(net.head(theta, fl.a2));
    const y1 = goldenConvLayer(l1, quantizeActivations(img, l1.formats.inFrac));
    const p1 = maxpool2(Float64Array.from(y1), 6, 24, 24, undefined);
    const y2 = goldenConvLayer(l2, p1);
    const a1 = dequantize(y1, l1.formats.outFrac);
    const a2 = dequantize(y2, l2.formats.outFrac);
    for (let q = 0; q < a1.length; q++) {
      acc.s1 += fl.a1[q]! ** 2;
      acc.n1 += (fl.a1[q]! - a1[q]!) ** 2;
    }
    for (let q = 0; q < a2.length; q++) {
      acc.s2 += fl.a2[q]! ** 2;
      acc.n2 += (fl.a2[q]! - a2[q]!) ** 2;
    }
    const pred = argmax(net.head(theta, a2));
    if (pred === test.labels[i]) ok++;
    if (floatPred === test.labels[i]) okFloat++;
    if (pred !== floatPred) dis++;
    if (pr && i % 100 === 0) pr.update(i);
  }
  pr?.done(`accuracy ${(ok / test.count).toFixed(4)}`);
  return {
    accuracy: ok / test.count,
    floatAccuracy: okFloat / test.count,
    disagreements: dis,
    sqnrConv1: 10 * Math.log10(acc.s1 / acc.n1),
    sqnrConv2: 10 * Math.log10(acc.s2 / acc.n2),
    images: test.count,
  };
}
