/**
 * Whole layers on the simulated RTL (Icarus), images streamed back to back: with dense weights
 * against a direct spatial convolution (SQNR >= 40 dB), with pruned weights bit-exact against the
 * golden model, for a spread of shapes, lane counts and unit widths; useful MACs equal the ideal
 * count, and the read-modify-write check stays low. With streamed weights (the schedule read from
 * a BurstMemory model by the WeightLoader), bit-exact too, on fast and slow memory, in the same
 * cycles as the kernel ROMs when memory keeps up.
 */
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { elaborate } from "../../hdl/core";
import { Spec2Layer, type Spec2LayerParams } from "../../hdl/spec2/layer";
import { runLayerBatch, type DriverOptions } from "../../hdl/spec2/layer-driver";
import { randomLayer, type LayerShape } from "../../hdl/spec2/perf/random-layer";
import { makePlan, spatialConv } from "../../spectral/conv";
import { dequantize, goldenConvLayer, quantizeActivations, sqnrDb } from "../../spectral/fixed";
import { lcg } from "../../hdl/spec2/perf/random-layer";
import { expectCleanVerilog } from "../helpers/verilog-tools";

interface Case extends LayerShape {
  /** unit widths and lanes (Spec2LayerParams) */
  readonly build?: Omit<Spec2LayerParams, "layer" | "pOut" | "pIn">;
  readonly images?: number;
}

async function runCase(c: Case, seed: number, driver: DriverOptions = {}) {
  const { acc, weights, bias, x } = randomLayer(c, seed);
  const { layer, parallelism } = acc;
  const images = c.images ?? 1;
  // image 0 is the layer's own random input; the others are fresh random maps
  const r = lcg(seed + 7);
  const xs = [x, ...Array.from({ length: images - 1 }, () => Float64Array.from(x, () => r() * 2 - 1))];
  const words = xs.map((xi) => quantizeActivations(xi, layer.formats.inFrac, layer.formats.actBits));
  const params: Spec2LayerParams = { layer, ...parallelism, ...c.build, checkHazards: true };
  const run = await runLayerBatch(params, words, { backend: FAST_BACKEND, ...driver });
  const golden = words.map((w) => goldenConvLayer(layer, w));
  const { tilesX, tilesY } = makePlan(layer);
  const n = layer.kernels[0]!.length;
  const idealMacs = images * tilesX * tilesY * layer.cin * layer.cout * n;
  return { run, golden, layer, weights, bias, xs, idealMacs };
}

const describeCase = (c: Case): string =>
  `${c.cin}->${c.cout}, ${c.h}x${c.w}, k${c.k} p${c.p}, K${c.K}, P ${c.pOut}x${c.pIn}${c.build ? ` ${JSON.stringify(c.build)}` : ""}${c.images ? `, ${c.images} images` : ""}`;

describe("a whole layer on the RTL", () => {
  const dense: Case[] = [
    { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8, density: 1, pOut: 2, pIn: 1 },
    { cin: 3, cout: 4, h: 11, w: 7, k: 3, p: 1, K: 8, density: 1, pOut: 2, pIn: 1, build: { ifftLanes: 2, loadWords: 3 } },
    { cin: 2, cout: 3, h: 9, w: 10, k: 3, p: 1, K: 4, density: 1, pOut: 3, pIn: 2, build: { fftLanes: 2 } },
    { cin: 4, cout: 2, h: 6, w: 13, k: 1, p: 0, K: 4, density: 1, pOut: 1, pIn: 4 },
  ];
  for (const [i, c] of dense.entries()) {
    it(`dense ${describeCase(c)}: bit-exact and >= 40 dB against the spatial convolution`, async () => {
      const { run, golden, layer, weights, bias, xs, idealMacs } = await runCase(c, 100 + i);
      expect(Array.from(run.outputs[0]!)).toEqual(Array.from(golden[0]!));
      const ref = spatialConv(layer, xs[0]!, weights, bias);
      const sqnr = sqnrDb(ref, dequantize(run.outputs[0]!, layer.formats.outFrac));
      console.log(`dense case ${i}: SQNR ${sqnr.toFixed(1)} dB, ${run.cycles} cycles, PE utilisation ${(100 * run.peUtilisation).toFixed(1)}%`);
      expect(sqnr).toBeGreaterThanOrEqual(40);
      expect(run.macs).toBe(idealMacs);
      expect(run.hazard).toBe(false);
    });
  }

  const pruned: Case[] = [
    { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 8, pIn: 1, relu: true, images: 3 },
    { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 4, pIn: 2, build: { fftLanes: 2, ifftLanes: 2, xWords: 2 }, images: 2 },
    { cin: 5, cout: 3, h: 10, w: 9, k: 3, p: 1, K: 8, density: 0.5, pOut: 2, pIn: 3, build: { drainWords: 4, loadWords: 2 }, images: 2 },
    { cin: 1, cout: 6, h: 28, w: 28, k: 5, p: 0, K: 8, density: 0.25, pOut: 2, pIn: 1, build: { drainWords: 8, ifftLanes: 2 }, images: 2 },
    { cin: 2, cout: 2, h: 20, w: 18, k: 7, p: 3, K: 16, density: 0.125, pOut: 2, pIn: 1, relu: true },
  ];
  for (const [i, c] of pruned.entries()) {
    it(`pruned (density ${c.density}) ${describeCase(c)}: bit-exact with the golden model`, async () => {
      const { run, golden, idealMacs } = await runCase(c, 200 + i);
      run.outputs.forEach((o, n) => expect(Array.from(o), `image ${n}`).toEqual(Array.from(golden[n]!)));
      console.log(`pruned case ${i}: ${run.cycles} cycles, PE utilisation ${(100 * run.peUtilisation).toFixed(1)}%`);
      expect(run.macs).toBe(idealMacs);
      expect(run.hazard).toBe(false);
    });
  }
});

describe("a whole layer with streamed weights", () => {
  const c: Case = { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 4, pIn: 2, images: 2 };
  const streamed: Case = { ...c, build: { weights: { maxDepth: 128 } } };
  it(`pruned ${describeCase(c)}, fast memory (64 B/clock, latency 20): bit-exact, the cycles of the kernel-ROM layer`, async () => {
    const rom = await runCase(c, 300);
    const got = await runCase(streamed, 300, { weightMemory: { dataBytes: 64, bytesPerCycle: 64, latency: 20 } });
    got.run.outputs.forEach((o, n) => expect(Array.from(o), `image ${n}`).toEqual(Array.from(got.golden[n]!)));
    expect(got.run.macs).toBe(got.idealMacs);
    expect(got.run.hazard).toBe(false);
    console.log(`streamed weights, fast memory: ${got.run.cycles} cycles; kernel ROMs: ${rom.run.cycles}`);
    expect(got.run.cycles).toBe(rom.run.cycles);
  });

  it(`pruned ${describeCase(c)}, slow memory (16-byte beats at 2 B/clock, latency 40): bit-exact`, async () => {
    const got = await runCase(streamed, 301, { weightMemory: { dataBytes: 16, bytesPerCycle: 2, latency: 40 } });
    got.run.outputs.forEach((o, n) => expect(Array.from(o), `image ${n}`).toEqual(Array.from(got.golden[n]!)));
    expect(got.run.macs).toBe(got.idealMacs);
    console.log(`streamed weights, slow memory: ${got.run.cycles} cycles`);
  });
});

describe("Spec2Layer Verilog", () => {
  it("with two FFT and two IFFT lanes and 2-word loads is clean in iverilog, Verilator and Yosys", async () => {
    const { acc } = randomLayer({ cin: 4, cout: 4, h: 10, w: 10, k: 3, p: 1, K: 8, density: 0.25, pOut: 2, pIn: 2 }, 5);
    const d = elaborate(Spec2Layer, { layer: acc.layer, pOut: 2, pIn: 2, fftLanes: 2, ifftLanes: 2, loadWords: 2 });
    expect(d.ports.map((p) => p.name)).toEqual(expect.arrayContaining(["load_valid", "load_ready", "load_data_1", "out_1_valid", "out_1_values_7", "macs", "overrun"]));
    await expectCleanVerilog(d.verilog, d.top);
  });

  it("with streamed weights has the array's weights port, its own module name, and is clean in iverilog, Verilator and Yosys", async () => {
    const { acc } = randomLayer({ cin: 4, cout: 4, h: 10, w: 10, k: 3, p: 1, K: 8, density: 0.25, pOut: 2, pIn: 2 }, 5);
    const d = elaborate(Spec2Layer, { layer: acc.layer, pOut: 2, pIn: 2, weights: { maxDepth: 64 } });
    expect(d.top).toBe("Spec2Layer_c4x4_10x10_k3p1_K8_P2x2_streamed");
    expect(d.ports.map((p) => p.name)).toEqual(expect.arrayContaining(["weights_valid", "weights_ready", "weights_bits_last", "weights_bits_tiles", "weights_bits_words_3"]));
    await expectCleanVerilog(d.verilog, d.top);
  });
});
