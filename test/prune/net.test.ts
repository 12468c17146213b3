import { describe, expect, it } from "vitest";
import { Rng } from "../../spectral/rng";
import { SpectralNet } from "../../prune/net";
import { LAYOUT, LeNet } from "../../prune/lenet";
import { vggDef } from "../../prune/vgg-mnist";
import { VGG_MNIST_DEF } from "../../prune/vgg-mnist";

/** loss of one sample, without touching a gradient */
function lossOf(net: SpectralNet, theta: Float64Array, x: Float64Array, label: number): number {
  return net.lossAndGrad(theta, x, label, new Float64Array(net.size)).loss;
}

describe("sequential spectral networks (net.ts)", () => {
  it("a small VGG-style network (conv -> conv without a pool, pools, two fc layers): gradient = finite differences", () => {
    const net = new SpectralNet(vggDef(2, 3, 4));
    const rng = new Rng(11);
    const theta = net.init(4);
    // Nonzero biases: with zero biases a unit whose inputs are all zero sits exactly on its ReLU's
    // kink, where central differences count half a unit. Input noise avoids max-pool ties.
    for (const s of net.segs) for (let q = s.b[0]; q < s.b[1]; q++) theta[q] = 0.05 + 0.1 * rng.next();
    const x = Float64Array.from({ length: 784 }, () => rng.next());
    const grad = new Float64Array(net.size);
    net.lossAndGrad(theta, x, 3, grad);
    const h = 1e-6;
    const probes = [...net.segs.flatMap((s) => [s.W[0], s.W[0] + 7, s.b[0]]), net.size - 1];
    for (const q of probes) {
      const tp = theta.slice();
      const tm = theta.slice();
      tp[q] += h;
      tm[q] -= h;
      const fd = (lossOf(net, tp, x, 3) - lossOf(net, tm, x, 3)) / (2 * h);
      expect(Math.abs(fd - grad[q]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  it("VGG-style network: five 3x3 conv layers with padding 1, K = 8; LeNet keeps its model.json layout", () => {
    const net = new SpectralNet(VGG_MNIST_DEF);
    expect(net.convShapes.length).toBe(5);
    expect(net.convShapes.every((s) => s.k === 3 && s.p === 1 && s.K === 8)).toBe(true);
    expect(net.convShapes.map((s) => [s.cin, s.cout, s.h])).toEqual([
      [1, 8, 28],
      [8, 8, 28],
      [8, 16, 14],
      [16, 16, 14],
      [16, 32, 7],
    ]);
    const lenet = new LeNet();
    expect(lenet.size).toBe(LAYOUT.size);
    expect([LAYOUT.W1, LAYOUT.b1, LAYOUT.W2, LAYOUT.b2, LAYOUT.F1]).toEqual([lenet.segs[0]!.W, lenet.segs[0]!.b, lenet.segs[1]!.W, lenet.segs[1]!.b, lenet.segs[2]!.W]);
    expect(LAYOUT.W1).toEqual([0, 6 * 80]);
  });

  it("rejects a definition whose shapes do not chain", () => {
    const def = vggDef(2, 3, 4);
    const bad = { ...def, layers: def.layers.map((l, i) => (i === 1 && l.kind === "conv" ? { ...l, shape: { ...l.shape, cin: 5 } } : l)) };
    expect(() => new SpectralNet(bad)).toThrow("vgg-mnist: layer 1 (conv2) expects 5x28x28, gets 2x28x28");
  });
});
