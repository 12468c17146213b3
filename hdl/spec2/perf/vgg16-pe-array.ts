/**
 * A PE array at VGG16 scale for synthesis reports: VGG16 conv2_2 (128 -> 128 channels, k = 3,
 * K = 8, 75% pruned: n = 10 of 40), random weights, 8 x 2 = 16 PEs; each PE's kernel ROM
 * holds 64 x 16 kernels (10,240 entries).
 *
 *   npx tsx synth/report.ts hdl/spec2/perf/vgg16-pe-array.ts --json
 */
import { elaborate } from "../../core";
import { PeArray, peArrayParams } from "../pe-array";
import { randomLayer } from "./random-layer";

export const VGG16_PE_ARRAY = { cin: 128, cout: 128, h: 112, w: 112, k: 3, p: 1, K: 8, density: 0.25, pOut: 8, pIn: 2 } as const;

export default function design() {
  const { acc } = randomLayer(VGG16_PE_ARRAY, 2024);
  return elaborate(PeArray, peArrayParams(acc.layer, VGG16_PE_ARRAY.pOut, VGG16_PE_ARRAY.pIn));
}
