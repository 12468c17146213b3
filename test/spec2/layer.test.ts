/**
 * Whole layers on the simulated RTL (Icarus): with dense weights against a
 * direct spatial convolution (SQNR >= 40 dB), with pruned weights bit-exact
 * against the golden model, for a spread of shapes; PE utilisation measured.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { Spec2Layer } from "../../hdl/spec2/layer";
import { layerFromJson } from "../../hdl/spec2/layer-file";
import { runLayerMaps } from "../../sim/layer-driver";
import { makePlan, spatialConv } from "../../spectral/conv";
import { dequantize, goldenConvLayer, quantizeActivations, sqnrDb } from "../../spectral/fixed";
import { rng } from "../helpers/rng";

interface Case { cin: number; cout: number; h: number; w: number; k: number; p: number; K: number; density: number; pOut: number; pIn: number; relu?: boolean }

function randomLayer(c: Case, seed: number) {
  const r = rng(seed);
  const scale = 1 / Math.sqrt(c.cin * c.k * c.k);
  const weights = Array.from({ length: c.cout }, () =>
    Array.from({ length: c.cin }, () => Array.from({ length: c.k }, () => Array.from({ length: c.k }, () => (r() * 2 - 1) * scale * 1.7))));
  const bias = Array.from({ length: c.cout }, () => (r() - 0.5) * 0.2);
  const json = {
    inChannels: c.cin, outChannels: c.cout, height: c.h, width: c.w, kernelSize: c.k, padding: c.p, fftSize: c.K,
    weights, bias, density: c.density, relu: c.relu ?? false, parallelism: { pOut: c.pOut, pIn: c.pIn },
  };
  const x = Float64Array.from({ length: c.cin * c.h * c.w }, () => r() * 2 - 1);
  return { acc: layerFromJson(json, "test-layer"), weights: Float64Array.from(weights.flat(3)), bias: Float64Array.from(bias), x };
}

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
