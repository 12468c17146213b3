import { describe, expect, it } from "vitest";
import { halfPlaneSize, conjugatePartner } from "../../spectral/layout";
import { LocalEngine } from "../../prune/engine";
import { initParams, LAYOUT, LeNet, view } from "../../prune/lenet";
import { loadMnist } from "../../prune/mnist";
import { countPerKernel } from "../../spectral/project";
import { DEFAULT_TRAIN, evaluate, freshState, runPhase, startAdmm, startRetrain } from "../../prune/train";

describe("reduced training on real MNIST", () => {
  it("learns (loss falls, accuracy well above chance) and prunes to exactly n entries per kernel", async () => {
    const train = loadMnist("train", 2000);
    const test = loadMnist("test", 500);
    // the mechanics on a tiny budget: no augmentation, the gentler rho growth of the earlier schedule
    const cfg = { ...DEFAULT_TRAIN, stepsPerEpoch: 40, admmUpdatesPerEpoch: 4, shift: 0, rhoGrowth: 1.5 };
    const net = new LeNet();
    const engine = new LocalEngine(net, train);
    const s0 = freshState(initParams(3));
    const before = evaluate(net, s0.theta, test);
    const dense = await runPhase(s0, { kind: "dense", net, cfg, engine, data: train, epochs: 2, lr: 2e-3, epochOffset: 0, quiet: true });
    const losses = dense.log.map((l) => Number(/train loss ([\d.]+)/.exec(l)![1]));
    expect(losses[1]!).toBeLessThan(losses[0]!);
    const acc = evaluate(net, dense.theta, test);
    expect(acc).toBeGreaterThan(0.6);
    expect(acc).toBeGreaterThan(before + 0.3);

    const n = 10;
    const admm = await runPhase(startAdmm(net, dense.theta, n, 0.05), { kind: "admm", net, cfg, engine, data: train, epochs: 1, lr: 2e-3, epochOffset: 2, n, quiet: true });
    const r0 = startRetrain(net, admm, n);
    const re = await runPhase(r0, { kind: "retrain", net, cfg, engine, data: train, epochs: 1, lr: 1e-3, epochOffset: 3, n, quiet: true });
    const L = halfPlaneSize(8);
    for (const [m, W] of [
      [re.masks![0]!, view(re.theta, LAYOUT.W1)],
      [re.masks![1]!, view(re.theta, LAYOUT.W2)],
    ] as const) {
      expect(new Set(countPerKernel(m, L))).toEqual(new Set([n]));
      for (let q = 0; q < m.length; q++) {
        if (!m[q]) {
          expect(W[2 * q]).toBe(0);
          expect(W[2 * q + 1]).toBe(0);
        }
        // Hermitian structure kept: conjugate partners are kept together with conjugate values
        const j = q % L;
        const p = conjugatePartner(8, j);
        if (p >= 0) {
          const qp = q - j + p;
          expect(m[qp]).toBe(m[q]);
          expect(W[2 * qp]).toBeCloseTo(W[2 * q]!, 12);
          expect(W[2 * qp + 1]).toBeCloseTo(-W[2 * q + 1]!, 12);
        }
      }
    }
    expect(evaluate(net, re.theta, test)).toBeGreaterThan(0.5);
  });
});
