import { describe, expect, it } from "vitest";
import { LocalEngine, WorkerEngine } from "../../prune/engine";
import { loadMnist } from "../../prune/mnist";
import { makeNet } from "../../prune/networks";
import { applyMasks, masksFromWeights } from "../../prune/train";

describe("gradient engines (engine.ts)", () => {
  it("worker threads give bit-for-bit the gradient of one thread, dense and masked; masked = dense on pruned weights", async () => {
    const data = loadMnist("train", 256);
    const net = makeNet("vgg-mnist");
    const theta = net.init(2);
    const idx = Int32Array.from({ length: 12 }, (_, q) => (q * 37) % 256);
    const shifts = Int8Array.from({ length: 24 }, (_, q) => (q % 5) - 2);
    const local = new LocalEngine(net, data);
    const workers = new WorkerEngine("vgg-mnist", net.size, 256, 32);
    try {
      const g1 = new Float64Array(net.size);
      const g2 = new Float64Array(net.size);
      const r1 = await local.batchGrad(theta, idx, g1, shifts);
      const r2 = await workers.batchGrad(theta, idx, g2, shifts);
      expect(r2).toEqual(r1);
      expect(g2).toEqual(g1);

      const masks = masksFromWeights(net, 10, theta);
      const pruned = theta.slice();
      applyMasks(net, pruned, masks);
      const dense = new Float64Array(net.size);
      await local.batchGrad(pruned, idx, dense, shifts);
      await local.setMasks(masks);
      await workers.setMasks(masks);
      await local.batchGrad(pruned, idx, g1, shifts);
      await workers.batchGrad(pruned, idx, g2, shifts);
      expect(g2).toEqual(g1);
      // the masked engine forms only the kept entries' gradients; elsewhere the dense one agrees to rounding
      let scale = 0;
      for (const v of dense) scale = Math.max(scale, Math.abs(v));
      net.convLayers.forEach((_, c) => {
        const [lo] = net.convW(c);
        masks[c]!.forEach((m, j) => {
          for (const q of [lo + 2 * j, lo + 2 * j + 1]) {
            if (m) expect(Math.abs(g1[q]! - dense[q]!)).toBeLessThan(1e-11 * scale);
            else expect(g1[q]).toBe(0);
          }
        });
      });
      const [fcLo] = net.segs[net.convLayers.length]!.W;
      for (let q = fcLo; q < net.size; q++) expect(Math.abs(g1[q]! - dense[q]!)).toBeLessThan(1e-11 * scale);

      // distillation: the same on both engines, and a different gradient from the plain one
      const teacher = { theta: net.init(3), alpha: 0.5, temperature: 4 };
      await local.setTeacher(teacher);
      await workers.setTeacher(teacher);
      const d1 = new Float64Array(net.size);
      const d2 = new Float64Array(net.size);
      expect(await workers.batchGrad(pruned, idx, d2, shifts)).toEqual(await local.batchGrad(pruned, idx, d1, shifts));
      expect(d2).toEqual(d1);
      expect(d1).not.toEqual(g1);
      await local.setTeacher(undefined);
      await local.batchGrad(pruned, idx, d1, shifts);
      expect(d1).toEqual(g1);
    } finally {
      await workers.close();
    }
  }, 60_000);
});
