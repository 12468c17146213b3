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

  it("distillation: gradient = finite differences of (1 - alpha) CE + alpha T^2 KL(teacher_T || student_T)", () => {
    const def = vggDef(2, 3, 4);
    const net = new SpectralNet(def);
    const teacherNet = new SpectralNet(def);
    const rng = new Rng(12);
    const theta = net.init(4);
    const teacherTheta = net.init(5);
    for (const t of [theta, teacherTheta]) for (const s of net.segs) for (let q = s.b[0]; q < s.b[1]; q++) t[q] = 0.05 + 0.1 * rng.next();
    const x = Float64Array.from({ length: 784 }, () => rng.next());
    const alpha = 0.6;
    const T = 3;
    // the loss written out here from the two networks' logits
    const soft = (z: Float64Array, t: number): number[] => {
      const e = Array.from(z, (v) => Math.exp(v / t));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    };
    const zt = teacherNet.logits(teacherTheta, x);
    const loss = (th: Float64Array): number => {
      const z = net.logits(th, x);
      const ce = -Math.log(soft(z, 1)[3]!);
      const p = soft(z, T);
      const q = soft(zt, T);
      const kl = q.reduce((a, qc, c) => a + qc * Math.log(qc / p[c]!), 0);
      return (1 - alpha) * ce + alpha * T * T * kl;
    };
    const grad = new Float64Array(net.size);
    const r = net.batchLossAndGrad(theta, undefined, 1, () => [x, 3], grad, { net: teacherNet, theta: teacherTheta, alpha, temperature: T });
    expect(r.loss).toBeCloseTo(-Math.log(soft(net.logits(theta, x), 1)[3]!), 12); // the reported loss stays the cross-entropy
    const h = 1e-6;
    for (const q of [...net.segs.flatMap((s) => [s.W[0], s.W[0] + 7, s.b[0]]), net.size - 1]) {
      const tp = theta.slice();
      const tm = theta.slice();
      tp[q] += h;
      tm[q] -= h;
      const fd = (loss(tp) - loss(tm)) / (2 * h);
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
