/**
 * The SPEC2 performance model (hdl/spec2/perf): unit rates against the units' own functions,
 * the VGG16 operation count, cycles and MACs against RTL simulation (Icarus), and the DSE
 * against the XC7VX690T budget (resources from the committed Yosys cache, never a fresh run).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fft2dForwardCyclesPerTile } from "../../../hdl/spec2/fft2d";
import { ifft2dCyclesPerBlock } from "../../../hdl/spec2/ifft2d";
import { inputTilerRowsPerTile } from "../../../hdl/spec2/input-tiler";
import { overlapAddEmitCyclesPerBand } from "../../../hdl/spec2/overlap-add";
import { peArrayParams, peArrayRates } from "../../../hdl/spec2/pe-array";
import { makePlan } from "../../../spectral/conv";
import { best, explore, paretoFront, type DseSpace } from "../../../hdl/spec2/perf/dse";
import { batchCycles, entriesPerKernel, geometry, layerPerf, networkPerf, spatialOps, tileRates, usefulMacs, type ArchConfig } from "../../../hdl/spec2/perf/model";
import { XC7VX690T, compositionCheck, configUsage, fits } from "../../../hdl/spec2/perf/resources";
import { randomLayer, type LayerShape } from "../../../hdl/spec2/perf/random-layer";
import { CACHE_FILE, readCache } from "../../../hdl/spec2/perf/synth-cache";
import { VALIDATION_CASES, VALIDATION_FILE, archOf, convOf, describeCase, validateCase, type ValidationResult } from "../../../bench/validate";
import { VGG16_CONV } from "../../../hdl/spec2/perf/vgg16";

/** Stated tolerance: model cycles of a batch against the RTL's (first input beat to last output word). */
const TOLERANCE = 0.03;

describe("unit rates come from the units' own functions", () => {
  const shapes: (LayerShape & { build: Partial<ArchConfig> })[] = [
    { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 8, pIn: 1, build: {} },
    { cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K: 8, density: 0.25, pOut: 4, pIn: 2, build: { fftLanes: 2, ifftLanes: 2, xWords: 2, drainWords: 2 } },
    { cin: 5, cout: 3, h: 10, w: 9, k: 3, p: 1, K: 8, density: 0.5, pOut: 3, pIn: 3, build: { ifftLanes: 3, drainWords: 8 } },
    { cin: 4, cout: 4, h: 16, w: 16, k: 3, p: 1, K: 16, density: 0.25, pOut: 2, pIn: 2, build: { fftLanes: 2 } },
  ];
  for (const s of shapes) {
    it(`${s.cin}->${s.cout} K${s.K} P ${s.pOut}x${s.pIn} ${JSON.stringify(s.build)}`, () => {
      const { acc } = randomLayer(s, 3);
      const layer = acc.layer;
      const n = layer.kernels[0]!.length;
      expect(n).toBe(entriesPerKernel(s.K, s.density));
      const cfg: ArchConfig = { K: s.K, pOut: s.pOut, pIn: s.pIn, fftLanes: 1, ifftLanes: 1, n, ...s.build };
      const r = tileRates(convOf(s), cfg);
      const pe = peArrayRates(peArrayParams(layer, s.pOut, s.pIn, s.build));
      expect([r.mac, r.peLoad, r.drain, r.lane, r.pair, r.xPair]).toEqual([pe.mac, pe.load, pe.drain, pe.lane, pe.pair, pe.xPair]);
      const plan = makePlan(layer);
      const g = geometry(convOf(s), s.K);
      expect([g.T, g.tilesX, g.tilesY, g.ho, g.wo]).toEqual([plan.T, plan.tilesX, plan.tilesY, plan.ho, plan.wo]);
      const fftLanes = cfg.fftLanes;
      const ifftLanes = cfg.ifftLanes;
      expect(r.fft).toBe(Math.ceil(s.cin / fftLanes) * fft2dForwardCyclesPerTile(s.K, plan.T));
      expect(r.ifft).toBe(Math.ceil(s.cout / ifftLanes) * ifft2dCyclesPerBlock(s.K));
      expect(r.tiler).toBe(inputTilerRowsPerTile({ layer, lanes: fftLanes, lane: 0 }));
      expect(r.oaaEmit).toBe(overlapAddEmitCyclesPerBand({ layer, lanes: ifftLanes, lane: 0 }) / plan.tilesX);
      expect(r.tile).toBe(Math.max(r.tiler, r.fft, r.peLoad, r.mac, r.drain, r.lane, r.pair, r.xPair, r.ifft, r.oaaEmit));
    });
  }
});

describe("VGG16", () => {
  it("13 conv layers, 30.69 G operations and 0.549 G complex MACs (K=8, n=10) per 224x224 image", () => {
    expect(VGG16_CONV).toHaveLength(13);
    const ops = VGG16_CONV.reduce((s, l) => s + spatialOps(l), 0);
    expect(ops / 1e9).toBeCloseTo(30.69, 2);
    const macs = VGG16_CONV.reduce((s, l) => s + usefulMacs(l, 8, 10), 0);
    expect(macs / 1e9).toBeCloseTo(0.549, 3);
  });

  it("bandwidth and batch enter the model as stated", () => {
    const cfg: ArchConfig = { K: 8, pOut: 16, pIn: 4, fftLanes: 4, ifftLanes: 8, n: 10 };
    const l = VGG16_CONV[1]!; // conv1_2, activations dominate
    const a = layerPerf(l, cfg, { clockHz: 200e6, dramBytesPerS: 12.8e9, batch: 1, actBits: 16, weightWordsPerPe: 4096, inputBufferWords: 0, weightBits: 16 });
    expect(a.chunks).toBe(1);
    expect(a.bytes.input).toBe(64 * 224 * 224 * 2);
    expect(a.bytes.output).toBe(64 * 224 * 224 * 2);
    expect(a.memoryS).toBeCloseTo(a.bytes.total / 12.8e9, 12);
    // a small weight buffer: 160 entries per output channel and PE, 256 per half buffer -> 4 passes, input read 4 times
    const small = layerPerf(l, cfg, { clockHz: 200e6, dramBytesPerS: 12.8e9, batch: 1, actBits: 16, weightWordsPerPe: 512, inputBufferWords: 0, weightBits: 16 });
    expect(small.chunks).toBe(4);
    expect(small.bytes.input).toBe(4 * 64 * 224 * 224 * 2);
    const fast = layerPerf(l, cfg, { clockHz: 200e6, dramBytesPerS: 1e15, batch: 1, actBits: 16, weightWordsPerPe: 512, inputBufferWords: 0, weightBits: 16 });
    expect(fast.bound).toBe("compute");
    expect(fast.timePerImageS).toBeCloseTo(fast.computeS, 12);
    // 12-bit weight words: entries of 6 + 24 = 30 bits instead of 38
    const narrow = layerPerf(l, cfg, { clockHz: 200e6, dramBytesPerS: 12.8e9, batch: 1, actBits: 16, weightWordsPerPe: 4096, inputBufferWords: 0, weightBits: 12 });
    expect(narrow.bytes.weights / a.bytes.weights).toBeCloseTo(30 / 38, 12);
    const net = networkPerf(VGG16_CONV, cfg);
    expect(net.eqOpsPerS).toBeCloseTo(net.ops / net.timePerImageS, 0);
  });
});

describe("model vs RTL", () => {
  const check = (r: ValidationResult): void => {
    expect(r.mismatches).toBe(0);
    expect(r.rtlMacs).toBe(r.modelMacs);
    expect(Math.abs(r.error)).toBeLessThanOrEqual(TOLERANCE);
  };
  // two live runs on Icarus: MAC-bound with 2 FFT and 4 IFFT lanes; drain-bound K = 16 with lanes
  for (const i of [1, 6]) {
    const s = VALIDATION_CASES[i]!;
    it(`live (Icarus): ${describeCase(s)}: cycles within ${100 * TOLERANCE}%, MACs exact, outputs bit-exact`, async () => {
      const r = await validateCase(s, { backend: "iverilog" });
      console.log(`model ${r.modelCycles} vs RTL ${r.rtlCycles} cycles (${(100 * r.error).toFixed(2)}%), ${r.bound}-bound`);
      check(r);
    });
  }
  it("the committed RTL runs (bench/results/validation.json) agree with the current model", () => {
    expect(existsSync(VALIDATION_FILE)).toBe(true);
    const v = JSON.parse(readFileSync(VALIDATION_FILE, "utf8")) as { results: ValidationResult[] };
    expect(v.results.length).toBe(VALIDATION_CASES.length);
    for (const r of v.results) {
      const s = r.shape;
      const n = entriesPerKernel(s.K, s.density);
      const m = batchCycles(convOf(s), archOf(s, n), s.images);
      check({ ...r, modelCycles: m.cycles, error: (m.cycles - r.rtlCycles) / r.rtlCycles, modelMacs: s.images * usefulMacs(convOf(s), s.K, n) });
    }
  });
});

describe("DSE under the XC7VX690T budget (committed Yosys cache)", () => {
  const cache = readCache(CACHE_FILE);
  const small: DseSpace = { Ks: [8, 16], pOut: [4, 16, 64, 256], pIn: [1, 4, 16], fftLanes: [1, 4, 16], ifftLanes: [1, 8, 32], weightBram36PerPe: [1, 4], inputMapBram36: [0, 200], accRegions: [1, 4], density: 0.25 };
  it("every point's fit flag matches the budget; the best point fits; the Pareto front is monotone", () => {
    const pts = explore(cache, VGG16_CONV, small);
    expect(pts.length).toBeGreaterThan(50);
    for (const p of pts) expect(p.fits).toBe(p.usage.total.lut <= XC7VX690T.lut && p.usage.total.ff <= XC7VX690T.ff && p.usage.total.dsp <= XC7VX690T.dsp && p.usage.total.bram36 <= XC7VX690T.bram36);
    expect(pts.some((p) => !p.fits)).toBe(true);
    const b = best(pts)!;
    expect(fits(b.usage.total)).toBe(true);
    for (const p of pts) if (p.fits) expect(p.perf.eqOpsPerS).toBeLessThanOrEqual(b.perf.eqOpsPerS * (1 + 1e-9));
    const front = paretoFront(pts, "lut");
    for (let i = 1; i < front.length; i++) {
      expect(front[i]!.usage.total.lut).toBeGreaterThanOrEqual(front[i - 1]!.usage.total.lut);
      expect(front[i]!.perf.eqOpsPerS).toBeGreaterThan(front[i - 1]!.perf.eqOpsPerS);
    }
  });
  it("resources grow with the PE count and the lanes", () => {
    const a = configUsage(cache, VGG16_CONV, { K: 8, pOut: 16, pIn: 2, fftLanes: 1, ifftLanes: 1, n: 10 }).total;
    const b = configUsage(cache, VGG16_CONV, { K: 8, pOut: 16, pIn: 4, fftLanes: 2, ifftLanes: 2, n: 10 }).total;
    expect(b.lut).toBeGreaterThan(a.lut);
    expect(b.dsp).toBeGreaterThan(a.dsp);
  });
  it("composition check: the sum of the parts is within 10% of the whole layer in LUT sites and FF, equal in DSP", () => {
    const c = compositionCheck(cache);
    expect(c).toBeDefined();
    console.log(`composition: parts ${JSON.stringify(c!.parts)} whole ${JSON.stringify(c!.whole)}`);
    expect(Math.abs(c!.error.lut)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(c!.error.ff)).toBeLessThanOrEqual(0.1);
    expect(c!.parts.dsp).toBe(c!.whole.dsp);
  });
});
