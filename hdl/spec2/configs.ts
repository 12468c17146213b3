/**
 * Named accelerator configurations for `hdl/spec2/top.ts --config NAME`.
 * Each yields the layers to build and their parallelism.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { FixedLayer } from "../../spectral/fixed";
import { fixedLayerOf, loadWeights } from "../../spectral/weights";
import type { Parallelism } from "./layer-file";

export interface LayerConfig {
  readonly name: string;
  readonly layer: FixedLayer;
  readonly parallelism: Parallelism;
}

export interface Config {
  readonly name: string;
  readonly description: string;
  /** Builds the layers (reading weights from `weightsDir`). */
  layers(weightsDir: string): LayerConfig[];
}

export const DEFAULT_WEIGHTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../weights/lenet");

/**
 * Parallelism of the LeNet layers, chosen so the PEs set the pace (pe-array.ts peArrayRates):
 * conv1 (1 -> 6): 2 x 1 PEs, 30 MAC cycles per tile; one input channel per tile, so its drain
 * reads whole columns (8 words per clock, 15 cycles) into two IFFT lanes (15 cycles each).
 * conv2 (6 -> 16): 8 x 1 PEs, 120 MAC cycles per tile against a 80-cycle one-word drain and a
 * 80-cycle IFFT lane. Both load 4 input words per clock, so a batch's first image (the only
 * load not hidden behind computing) takes a quarter of the time.
 */
export const LENET_PARALLELISM: Record<string, Parallelism> = {
  conv1: { pOut: 2, pIn: 1, drainWords: 8, ifftLanes: 2, loadWords: 4 },
  conv2: { pOut: 8, pIn: 1, loadWords: 4 },
};

function lenetLayers(dir: string, only?: string): LayerConfig[] {
  const manifest = loadWeights(dir);
  return manifest.layers
    .map((l, i) => ({ name: l.name, layer: fixedLayerOf(manifest, i), parallelism: LENET_PARALLELISM[l.name] ?? { pOut: 1, pIn: 1 } }))
    .filter((l) => only === undefined || l.name === only);
}

export const CONFIGS: readonly Config[] = [
  { name: "lenet", description: "both LeNet-5 conv layers (K = 8) with the pruned weights (default)", layers: (d) => lenetLayers(d) },
  { name: "lenet-conv1", description: "LeNet-5 conv1 only (1 -> 6 channels, 28x28, k = 5)", layers: (d) => lenetLayers(d, "conv1") },
  { name: "lenet-conv2", description: "LeNet-5 conv2 only (6 -> 16 channels, 12x12, k = 5)", layers: (d) => lenetLayers(d, "conv2") },
];

export function findConfig(name: string): Config | undefined {
  return CONFIGS.find((c) => c.name === name);
}
