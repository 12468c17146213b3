/**
 * A VGG-style network on MNIST for the VGG16 engine: every conv is 3x3 with padding 1,
 * spectral with K = 8 (tile T = 6), followed by a ReLU, a net.ts network:
 *   28x28 -> conv 1 -> C1 -> conv C1 -> C1 -> pool -> 14x14
 *         -> conv C1 -> C2 -> conv C2 -> C2 -> pool -> 7x7
 *         -> conv C2 -> C3 -> pool -> 3x3 -> FC 9*C3 -> 64 -> ReLU -> FC 10 -> softmax cross-entropy.
 * The channel counts are chosen by the measured training speed (prune/README.md).
 */
import type { ConvShape } from "../spectral/conv";
import type { NetworkDef } from "./net";

const K = 8;
export const VGG_CHANNELS = [8, 16, 32] as const;
export const VGG_HIDDEN = 64;

const conv = (name: string, cin: number, cout: number, hw: number): { kind: "conv"; name: string; shape: ConvShape } => ({
  kind: "conv",
  name,
  shape: { cin, cout, h: hw, w: hw, k: 3, p: 1, K },
});

export function vggDef(c1: number, c2: number, c3: number): NetworkDef {
  return {
    name: "vgg-mnist",
    title: `VGG-style ${c1}-${c1}-${c2}-${c2}-${c3} (3x3) spectral (K = 8)`,
    input: { c: 1, h: 28, w: 28 },
    layers: [
      conv("conv1", 1, c1, 28),
      conv("conv2", c1, c1, 28),
      { kind: "pool" },
      conv("conv3", c1, c2, 14),
      conv("conv4", c2, c2, 14),
      { kind: "pool" },
      conv("conv5", c2, c3, 7),
      { kind: "pool" },
      { kind: "fc", nin: 9 * c3, nout: VGG_HIDDEN, relu: true },
      { kind: "fc", nin: VGG_HIDDEN, nout: 10, relu: false },
    ],
  };
}

export const VGG_MNIST_DEF: NetworkDef = vggDef(...VGG_CHANNELS);
