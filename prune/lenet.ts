/**
 * LeNet-5 with spectral convolutions (K = 8), a network of net.ts:
 *   28x28 -> spectral conv 5x5 (1 -> 6) -> ReLU -> maxpool 2 -> 12x12
 *         -> spectral conv 5x5 (6 -> 16) -> ReLU -> maxpool 2 -> 4x4x16 = 256
 *         -> FC 120 -> ReLU -> FC 84 -> ReLU -> FC 10 -> softmax cross-entropy.
 * The parameter order (W1 b1 W2 b2 F1 c1 F2 c2 F3 c3) is that of model.json files.
 */
import type { ConvShape } from "../spectral/conv";
import { argmax, maxpool2, SpectralNet, view, type NetworkDef } from "./net";

export const K_FFT = 8;
export const CONV1: ConvShape = { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: K_FFT };
export const CONV2: ConvShape = { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: K_FFT };

export const LENET_DEF: NetworkDef = {
  name: "lenet",
  title: "LeNet-5 spectral (K = 8)",
  input: { c: 1, h: 28, w: 28 },
  layers: [
    { kind: "conv", name: "conv1", shape: CONV1 },
    { kind: "pool" },
    { kind: "conv", name: "conv2", shape: CONV2 },
    { kind: "pool" },
    { kind: "fc", nin: 256, nout: 120, relu: true },
    { kind: "fc", nin: 120, nout: 84, relu: true },
    { kind: "fc", nin: 84, nout: 10, relu: false },
  ],
};

export interface ParamLayout {
  readonly W1: [number, number];
  readonly b1: [number, number];
  readonly W2: [number, number];
  readonly b2: [number, number];
  readonly F1: [number, number];
  readonly c1: [number, number];
  readonly F2: [number, number];
  readonly c2: [number, number];
  readonly F3: [number, number];
  readonly c3: [number, number];
  readonly size: number;
}

function makeLayout(): ParamLayout {
  const s = new SpectralNet(LENET_DEF).segs;
  const size = s[4]!.b[1];
  return { W1: s[0]!.W, b1: s[0]!.b, W2: s[1]!.W, b2: s[1]!.b, F1: s[2]!.W, c1: s[2]!.b, F2: s[3]!.W, c2: s[3]!.b, F3: s[4]!.W, c3: s[4]!.b, size };
}

export const LAYOUT = makeLayout();

/** He-normal initialisation (net.ts). */
export function initParams(seed: number): Float64Array {
  return new SpectralNet(LENET_DEF).init(seed);
}

/** Conv-stage outputs, so that the fixed-point evaluation can replace them. */
export interface ConvStages {
  /** conv1 output after ReLU (6 x 24 x 24) */
  a1: Float64Array;
  /** conv2 output after ReLU (16 x 8 x 8) */
  a2: Float64Array;
}

export class LeNet extends SpectralNet {
  constructor() {
    super(LENET_DEF);
  }

  /** conv part only: returns ReLU'd conv outputs */
  convStages(theta: Float64Array, img: ArrayLike<number>): ConvStages {
    const [a1, a2] = this.convOutputs(theta, img);
    return { a1: a1!, a2: a2! };
  }
}

export { argmax, maxpool2, view };
