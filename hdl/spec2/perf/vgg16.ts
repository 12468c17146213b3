/**
 * VGG16's 13 convolution layers (Simonyan & Zisserman, configuration D) for a 224 x 224 x 3
 * image: k = 3, p = 1, stride 1 (the 2x2 max-pools between the blocks halve the maps).
 * 2 * Ho * Wo * k^2 * Cin * Cout summed over the layers is 30.69 G operations per image
 * (SPEC2.md section 5; checked in test/spec2/perf/model.test.ts).
 */
import type { ConvLayer } from "./model";

const blocks: readonly (readonly [number, readonly number[]])[] = [
  [224, [3, 64, 64]],
  [112, [64, 128, 128]],
  [56, [128, 256, 256, 256]],
  [28, [256, 512, 512, 512]],
  [14, [512, 512, 512, 512]],
];

export const VGG16_CONV: readonly ConvLayer[] = blocks.flatMap(([size, ch], b) =>
  ch.slice(1).map((cout, j) => ({ name: `conv${b + 1}_${j + 1}`, cin: ch[j]!, cout, h: size, w: size, k: 3, p: 1 })),
);

/** SPEC2.md section 5: published VGG16 FPGA results (GOP/s, conv layers where given). */
export const PUBLISHED: readonly { readonly work: string; readonly device: string; readonly gops: number; readonly note: string }[] = [
  { work: "Qiu et al., FPGA'16", device: "Zynq ZC706, 150 MHz, 16-bit", gops: 187.8, note: "conv layers (137.0 overall)" },
  { work: "Suda et al., FPGA'16", device: "Stratix-V, 8/16-bit", gops: 136.5, note: "conv layers (117.8 overall)" },
  { work: "Zhang & Prasanna, FPGA'17 (spectral)", device: "Intel QuickAssist (Stratix V), float", gops: 123.48, note: "GFLOP/s" },
  { work: "Zeng et al., FPGA'18 (spectral)", device: "Intel HARP, 16-bit", gops: 669.1, note: "" },
  { work: "Caffeine, ICCAD'16", device: "Virtex-7 690T, 16-bit", gops: 636, note: "" },
  { work: "DNNBuilder, ICCAD'18", device: "a larger device than the 690T", gops: 4200, note: "up to" },
];
