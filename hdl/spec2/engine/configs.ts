/**
 * Named builds of the engine for `hdl/spec2/top.ts --config NAME` (Engine, engine.ts: a command
 * list of `maxCommands` in front of EngineCore). A build fixes K, k, the fixed-point widths, the
 * PE grid and the limits; the layers it runs (shapes, weights, biases, fraction bits within its
 * macShift range) come at run time.
 */
import { defaultFormats, type FixedLayer } from "../../../spectral/fixed";
import type { EngineCoreParams } from "./engine-command";
import type { EngineParams } from "./engine";

export interface EngineConfigOptions {
  readonly pOut?: number;
  readonly pIn?: number;
  /** weight bank rows */
  readonly maxDepth?: number;
}

export interface EngineConfig {
  readonly name: string;
  readonly description: string;
  params(o: EngineConfigOptions): EngineParams;
}

/** Commands a list holds: VGG16 in passes of 64 output channels takes 66 a batch (150 in passes of 32). */
const MAX_COMMANDS = 512;

/** 64-byte beats (12.8 GB/s at 200 MHz and 64 bytes a clock), 32-bit byte addresses. */
const PORT = { addrBits: 32, dataBytes: 64, lenBits: 4 } as const;

/**
 * The weight words of the VGG16 build: 8-bit re and im (vgg-mnist keeps its accuracy at 8 bits,
 * prune/README.md "Weight word width"; a weight row of the 16 x 8 grid is 7 memory beats instead
 * of 11). The random VGG16 network of run-network.ts is made at this width.
 */
export const VGG16_WEIGHT_BITS = 8;

/**
 * The template layer of a build: its K, k and formats (the widths every layer shares; the fraction
 * bits give the default macShift) and the default channel maxima. Its kernels are unused by a
 * streamed array, but a schedule is built from them: one zero entry per kernel.
 */
export function templateLayer(s: { K: number; k: number; cin: number; cout: number; h: number; w: number; weightBits?: number }): FixedLayer {
  const { weightBits = 16, ...shape } = s;
  return {
    ...shape,
    p: (s.k - 1) / 2,
    relu: true,
    // the weights' fraction bits scale with their width (the template's macShift 16 - weightBits lower)
    formats: { ...defaultFormats(s.K, 12, 14 - (16 - weightBits), 12), weightBits },
    kernels: Array.from({ length: s.cin * s.cout }, () => [{ index: 0, re: 0, im: 0 }]),
    bias: new Array<number>(s.cout).fill(0),
  };
}

/**
 * VGG16's conv layers: K 8, k 3; 224 x 224 maps, 512 input channels, 16 x 8 PEs, passes of up to
 * 64 output channels (the accumulators of 64 / pOut channels a PE; a pass's outputs are what the
 * overlap-add holds, so the input map is read and transformed once per 64 output channels); weight
 * banks of 2560 rows (a pass of 64 output channels over 512 input channels: 4 x 64 x 10 rows); the
 * tiler's band buffer of 15,360 words (c ceil(w / 6) 6 for every VGG16 layer); macShift 0..15;
 * batches of up to 16 images on one weight fetch (tile counts up to 16 x 38 x 38 = 23,104: 15
 * bits). The grid and pass size are the engine model's best under the XC7VX690T's block RAM
 * (bench/vgg16.ts): with one FFT lane, more PEs than 16 x 8 wait for the FFT on the 512-channel
 * layers unless passes grow, and larger passes need more overlap-add and weight memory than the
 * device has beside the PE array's.
 */
const vgg16: EngineConfig = {
  name: "vgg16",
  description: "the engine for VGG16 (K = 8, k = 3, 224 x 224, 512 channels, 16 x 8 PEs)",
  params: (o) => {
    const pOut = o.pOut ?? 16;
    const pIn = o.pIn ?? 8;
    const core: EngineCoreParams = {
      layer: templateLayer({ K: 8, k: 3, cin: 512, cout: 64, h: 224, w: 224, weightBits: VGG16_WEIGHT_BITS }),
      pOut, pIn, maxCin: 512, maxCout: 64, maxHeight: 224, maxWidth: 224,
      maxDepth: o.maxDepth ?? 2560, tileBits: 15, port: PORT, macShifts: { min: 0, max: 15 }, bandCapacity: 15_360, maxBatch: 16,
    };
    return { core, maxCommands: MAX_COMMANDS };
  },
};

/** The trained MNIST networks' 3x3 layers (vgg-mnist): 28 x 28, 32 channels, 2 x 2 PEs. */
const mnist: EngineConfig = {
  name: "engine-mnist",
  description: "the engine for vgg-mnist (K = 8, k = 3, 28 x 28, 32 channels, 2 x 2 PEs)",
  params: (o) => ({
    core: {
      layer: templateLayer({ K: 8, k: 3, cin: 32, cout: 32, h: 28, w: 28 }),
      pOut: o.pOut ?? 2, pIn: o.pIn ?? 2, maxCin: 32, maxCout: 32, maxHeight: 28, maxWidth: 28,
      maxDepth: o.maxDepth ?? 2048, tileBits: 6, port: PORT, macShifts: { min: 0, max: 15 },
    },
    maxCommands: MAX_COMMANDS,
  }),
};

export const ENGINE_CONFIGS: readonly EngineConfig[] = [vgg16, mnist];

export function findEngineConfig(name: string): EngineConfig | undefined {
  return ENGINE_CONFIGS.find((c) => c.name === name);
}
