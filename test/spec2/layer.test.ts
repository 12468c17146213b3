/**
 * Whole layers on the simulated RTL (Icarus): with dense weights against a
 * direct spatial convolution (SQNR >= 40 dB), with pruned weights bit-exact
 * against the golden model, for a spread of shapes; PE utilisation measured.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { Spec2Layer } from "../../hdl/spec2/layer";
import { randomLayer, type LayerShape } from "../../hdl/spec2/perf/random-layer";
import { runLayerMaps } from "../../sim/layer-driver";
import { makePlan, spatialConv } from "../../spectral/conv";
import { dequantize, goldenConvLayer, quantizeActivations, sqnrDb } from "../../spectral/fixed";

type Case = LayerShape;

async function runCase(c: Case, seed: number) {
  const { acc, weights, bias, x } = randomLayer(c, seed);
  const { layer, parallelism } = acc;
  const words = quantizeActivations(x, layer.formats.inFrac, layer.formats.actBits);
  const design = elaborate(Spec2Layer, { layer, ...parallelism });
  const [run] = await runLayerMaps(design, layer, [words]);
  const golden = goldenConvLayer(layer, words);
  const P = parallelism.pOut * parallelism.pIn;
  const { tilesX, tilesY } = makePlan(layer);
  const n = layer.kernels[0]!.length;
  const idealMacs = tilesX * tilesY * layer.cin * layer.cout * n;
  return { run: run!, golden, layer, weights, bias, x, P, idealMacs };
}

describe("a whole layer on the RTL", () => {
  const dense: Case[] = [
    { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8, density: 1, pOut: 2, pIn: 1 },
    { cin: 3, cout: 4, h: 11, w: 7, k: 3, p: 1, K: 8, density: 1, pOut: 3, pIn: 2 },
    { cin: 2, cout: 3, h: 9, w: 10, k: 3, p: 1, K: 4, density: 1, pOut: 2, pIn: 1 },
    { cin: 4, cout: 2, h: 6, w: 13, k: 1, p: 0, K: 4, density: 1, pOut: 1, pIn: 4 },
  ];
  for (const [i, c] of dense.entries()) {
    it(`dense ${c.cin}->${c.cout}, ${c.h}x${c.w}, k${c.k} p${c.p}, K${c.K}, P ${c.pOut}x${c.pIn}: bit-exact and >= 40 dB against the spatial convolution`, async () => {
      const { run, golden, layer, weights, bias, x, P, idealMacs } = await runCase(c, 100 + i);
      expect(Array.from(run.output)).toEqual(Array.from(golden));
      const ref = spatialConv(layer, x, weights, bias);
      const sqnr = sqnrDb(ref, dequantize(run.output, layer.formats.outFrac));
      console.log(`dense case ${i}: SQNR ${sqnr.toFixed(1)} dB, ${run.cycles} cycles, PE utilisation ${((100 * run.macs) / (P * run.cycles)).toFixed(1)}%`);
      expect(sqnr).toBeGreaterThanOrEqual(40);
      expect(run.macs).toBe(idealMacs);
    });
  }

  const pruned: Case[] = [
    { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 4, pIn: 2, relu: true },
    { cin: 5, cout: 3, h: 10, w: 9, k: 3, p: 1, K: 8, density: 0.5, pOut: 2, pIn: 3 },
    { cin: 2, cout: 2, h: 20, w: 18, k: 7, p: 3, K: 16, density: 0.125, pOut: 2, pIn: 1, relu: true },
  ];
  for (const [i, c] of pruned.entries()) {
    it(`pruned (density ${c.density}) ${c.cin}->${c.cout}, ${c.h}x${c.w}, k${c.k} p${c.p}, K${c.K}, P ${c.pOut}x${c.pIn}: bit-exact with the golden model`, async () => {
      const { run, golden, P, idealMacs } = await runCase(c, 200 + i);
      expect(Array.from(run.output)).toEqual(Array.from(golden));
      console.log(`pruned case ${i}: ${run.cycles} cycles, PE utilisation ${((100 * run.macs) / (P * run.cycles)).toFixed(1)}%`);
      expect(run.macs).toBe(idealMacs);
    });
  }
});
