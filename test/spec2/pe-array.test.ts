/**
 * The SPEC2 PE array in Icarus Verilog against the golden model's accumulation and
 * macToIfftInput (spectral/fixed: complexMacFixed, macShift, macToIfftInput), for several
 * (Cin, Cout, n, K, pOut, pIn), several tiles back to back, random gaps on x_valid and random
 * stalls on y_ready; adversarial kernels for the accumulator read-modify-write; PE utilisation
 * measured in simulation against the cycle model; one configuration through the Verilog tools.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { Bool, Bundle, Input, Output, UInt, Vec, constant, defineModule, elaborate, log2Ceil, type Signal } from "../../hdl/core";
import { ComplexT } from "../../hdl/spec2/fixed";
import { PeArray, peArrayConfig, peArrayParams, peArrayRates, peArraySchedule, type PeArrayParams } from "../../hdl/spec2/pe-array";
import { buildSchedule, withDigest } from "../../hdl/spec2/schedule";
import { fixedLayerOf, loadWeights } from "../../spectral/weights";
import { simulate } from "../../sim";
import type { FixedLayer } from "../../spectral/fixed";
import { rng } from "../helpers/rng";
import { golden, laneColumns, makeInputs, makeLayer, streamOf, wireArrayLanes, type LayerSpec } from "../helpers/pe-array-golden";
import { expectCleanVerilog } from "../helpers/verilog-tools";

interface BenchParams {
  readonly array: PeArrayParams;
  /** per FFT lane: input columns, K complex 16-bit words (u = 0 in the low bits) and `last` in the top bit */
  readonly streams: readonly (readonly bigint[])[];
}

/** The array fed from a ROM of input columns per lane; `go` gates each lane's valid (random gaps), y ready from the stimulus. */
const Bench = defineModule("PeArrayBench", (p: BenchParams) => {
  const { K } = p.array.layer;
  const xb = p.array.layer.formats.fftBits;
  const ib = p.array.layer.formats.ifftBits;
  const c = peArrayConfig(p.array);
  const P = p.array.pOut * p.array.pIn;
  const go = Input(UInt(c.fftLanes));
  const ready = Input(UInt(c.ifftLanes));
  const y = Output(Vec(c.ifftLanes, Bundle({ valid: Bool(), last: Bool(), col: Vec(K, ComplexT(ib)) })));
  const macs = Output(UInt(log2Ceil(P + 1)));
  const hazard = Output(Bool());
  const dut = PeArray.instance(p.array, { name: "dut" });
  wireArrayLanes(dut, p.streams, K, xb, { go, ready, y, count: c.ifftLanes });
  macs.assign(dut.macs);
  hazard.assign(c.checkHazards ? (dut as { hazard?: Signal }).hazard! : constant(0, Bool()));
  return { go, ready, y, macs, hazard };
});

interface RunResult {
  /** output columns per lane in order: K values [re, im] */
  cols: number[][][][];
  lasts: boolean[][];
  /** cycle (after reset) of each output transfer, per lane */
  at: number[][];
  /** sum of `macs` over the run */
  macSum: number;
  /** cycles simulated until the last output */
  cycles: number;
  maxMacs: number;
  hazard: boolean;
}

type ArrayOpts = Omit<PeArrayParams, "layer" | "pOut" | "pIn">;

async function runArray(
  layer: FixedLayer,
  pOut: number,
  pIn: number,
  X: number[][][],
  opts: { seed: number; pGo: number; pReady: number; array?: ArrayOpts; resetAfter?: number; allowX?: boolean },
): Promise<RunResult> {
  const array = peArrayParams(layer, pOut, pIn, opts.array);
  const c = peArrayConfig(array);
  const streams = Array.from({ length: c.fftLanes }, (_, l) => streamOf(layer, X, c.fftLanes, l));
  const d = elaborate(Bench, { array, streams: withDigest(streams, { lanes: streams.length }) });
  const half = layer.K / 2 + 1;
  const expected = Array.from({ length: c.ifftLanes }, (_, j) => X.length * Math.ceil((layer.cout - j) / c.ifftLanes) * half);
  const sim = await simulate(d, { backend: FAST_BACKEND });
  const res: RunResult = { cols: expected.map(() => []), lasts: expected.map(() => []), at: expected.map(() => []), macSum: 0, cycles: 0, maxMacs: 0, hazard: false };
  const bits = (n: number, p: number, r: () => number): number => Array.from({ length: n }, (_, k) => (r() < p ? 1 << k : 0)).reduce((a, b) => a | b, 0);
  try {
    await sim.reset(2);
    const r = rng(opts.seed);
    if (opts.resetAfter !== undefined) {
      // run part of the stream, then reset in the middle of it: everything starts again from scratch
      await sim.batch(Array.from({ length: opts.resetAfter }, () => ({ go: bits(c.fftLanes, opts.pGo, r), ready: bits(c.ifftLanes, opts.pReady, r) })));
      await sim.reset(1);
    }
    let cycle = 0;
    const { K } = layer;
    const limit = 200 + (4 * X.length * (peArrayRates(array).tile + 40)) / Math.min(opts.pGo, opts.pReady);
    const done = (): boolean => res.cols.every((cols, j) => cols.length >= expected[j]!);
    while (!done()) {
      if (cycle > limit) throw new Error(`no progress: ${res.cols.map((x) => x.length).join("/")} of ${expected.join("/")} columns after ${cycle} cycles`);
      const stim = Array.from({ length: 256 }, () => ({ go: bits(c.fftLanes, opts.pGo, r), ready: bits(c.ifftLanes, opts.pReady, r) }));
      const samples = await sim.batch(stim, opts.allowX ? { allowX: true } : {});
      samples.forEach((smp, k) => {
        const m = smp.macs as number;
        res.macSum += m;
        res.maxMacs = Math.max(res.maxMacs, m);
        if (smp.hazard === 1) res.hazard = true;
        for (let j = 0; j < c.ifftLanes; j++) {
          if (smp[`y_${j}_valid`] === 1 && ((stim[k]!.ready >> j) & 1) === 1 && res.cols[j]!.length < expected[j]!) {
            res.cols[j]!.push(Array.from({ length: K }, (_, u) => [smp[`y_${j}_col_${u}_re`] as number, smp[`y_${j}_col_${u}_im`] as number]));
            res.lasts[j]!.push(smp[`y_${j}_last`] === 1);
            res.at[j]!.push(cycle + k);
            res.cycles = Math.max(res.cycles, cycle + k + 1);
          }
        }
      });
      cycle += stim.length;
    }
  } finally {
    await sim.close();
  }
  return res;
}

async function checkBitExact(
  spec: LayerSpec | FixedLayer,
  pOut: number,
  pIn: number,
  tiles: number,
  opts: { pGo: number; pReady: number; xMax?: number; array?: ArrayOpts; resetAfter?: number },
  seed = 0,
): Promise<RunResult> {
  const layer = "kernels" in spec ? spec : makeLayer(spec);
  seed += "seed" in spec ? spec.seed : 0;
  const X = makeInputs(layer, tiles, seed + 1000, opts.xMax);
  const want = golden(layer, X);
  const got = await runArray(layer, pOut, pIn, X, { seed: seed + 2000, ...opts });
  const lanes = got.cols.length;
  const half = layer.K / 2 + 1;
  for (let j = 0; j < lanes; j++) {
    const w = laneColumns(layer, want, lanes, j);
    expect(got.cols[j]!.length).toBe(w.length);
    for (let c = 0; c < w.length; c++) {
      if (JSON.stringify(got.cols[j]![c]) !== JSON.stringify(w[c])) {
        throw new Error(`lane ${j} column ${c} (block ${Math.floor(c / half)}, v ${c % half}): got ${JSON.stringify(got.cols[j]![c])}, want ${JSON.stringify(w[c])}`);
      }
    }
    expect(got.lasts[j]).toEqual(w.map((_, c) => c % half === half - 1));
  }
  const s = buildSchedule(layer, pOut, pIn);
  expect(got.macSum).toBe(tiles * s.macsPerTile);
  expect(got.maxMacs).toBeLessThanOrEqual(pOut * pIn);
  expect(got.hazard).toBe(false);
  return got;
}

describe("PeArray is bit-exact with the golden accumulation and macToIfftInput", () => {
  it("LeNet conv1 shape: Cin 1, Cout 6, K 8, n 10, pOut 4 (does not divide 6), pIn 1; 3 tiles, gaps and stalls", async () => {
    await checkBitExact({ cin: 1, cout: 6, K: 8, n: 10, seed: 1 }, 4, 1, 3, { pGo: 0.7, pReady: 0.6 });
  });

  it("LeNet conv2 shape: Cin 6, Cout 16, K 8, n 10, pOut 5, pIn 4 (neither divides); 3 tiles, gaps and stalls", async () => {
    // macShift = 13 + 14 - 6 - 12 = 9: about 2^22 at full scale, so some columns saturate
    await checkBitExact({ cin: 6, cout: 16, K: 8, n: 10, seed: 2, outFrac: 12 }, 5, 4, 3, { pGo: 0.8, pReady: 0.5 });
  });

  it("two FFT and two IFFT lanes, one-word X writes, two-word drain, Gauss multiplier: Cin 6, Cout 8, pOut 4, pIn 2", async () => {
    await checkBitExact({ cin: 6, cout: 8, K: 8, n: 10, seed: 14 }, 4, 2, 3, { pGo: 0.8, pReady: 0.7, array: { fftLanes: 2, ifftLanes: 2, xWords: 1, drainWords: 2, multiplier: "gauss" } });
  });

  it("a whole-column drain (drainWords = K) with four IFFT lanes, xWords 2: Cin 3, Cout 9, pOut 4, pIn 1", async () => {
    await checkBitExact({ cin: 3, cout: 9, K: 8, n: 10, seed: 15 }, 4, 1, 3, { pGo: 0.9, pReady: 0.6, array: { ifftLanes: 4, drainWords: 8, xWords: 2, blockSlots: 2 } });
  });

  it("dense n = L, K 4, Cin 3, Cout 2, pOut 2, pIn 2, exact left shift (macShift < 0) on small values", async () => {
    // macShift = 0 + 0 - 4 - 1 = -5
    await checkBitExact({ cin: 3, cout: 2, K: 4, n: 12, seed: 3, inFrac: 0, weightFrac: 0, outFrac: 1, wMax: 40 }, 2, 2, 3, { pGo: 0.9, pReady: 0.7, xMax: 300 });
  });

  it("K 16, Cin 3, Cout 3, n 24, pOut 2, pIn 2; 2 tiles", async () => {
    // macShift = 8 + 8 - 8 - 0 = 8: about 2^23 at full scale against ifftBits = 24
    await checkBitExact({ cin: 3, cout: 3, K: 16, n: 24, seed: 4, inFrac: 8, weightFrac: 8, outFrac: 0 }, 2, 2, 2, { pGo: 0.8, pReady: 0.8, array: { blockSlots: 2 } });
  });

  it("more PEs than channels (pOut 4 > Cout 3, pIn 3 > Cin 2): idle PEs, 2 tiles", async () => {
    await checkBitExact({ cin: 2, cout: 3, K: 8, n: 7, seed: 8 }, 4, 3, 2, { pGo: 0.8, pReady: 0.7 });
  });

  it("a reset in the middle of a tile leaves nothing behind (first-touch accumulation needs no clearing)", async () => {
    await checkBitExact({ cin: 3, cout: 4, K: 8, n: 10, seed: 9 }, 2, 2, 2, { pGo: 1, pReady: 1, resetAfter: 70 });
  });
});

describe("the accumulator read-modify-write schedule", () => {
  // even input channels' kernels end with index 7, odd ones start with it: with one local output
  // channel (pOut = Cout) a round's last MAC and the next round's first hit the same word, and
  // n = 6 >= K/2+1 load cycles per channel, so the rounds run back to back
  const indices = (_o: number, i: number, j: number): number => (i % 2 === 0 ? [1, 2, 3, 4, 5, 7] : [7, 10, 11, 12, 13, 14])[j]!;
  const spec: LayerSpec = { cin: 4, cout: 2, K: 8, n: 6, seed: 31, indices };

  it("the hazard check fires on a schedule that keeps the stored order, and the results are wrong", async () => {
    const layer = makeLayer(spec);
    const X = makeInputs(layer, 2, 77);
    // a stale read may see a word never written yet (X in Icarus): allow X on the outputs
    const got = await runArray(layer, 2, 1, X, { seed: 3, pGo: 1, pReady: 1, array: { checkHazards: true, reorder: false }, allowX: true });
    expect(got.hazard).toBe(true);
    expect(got.cols[0]).not.toEqual(laneColumns(layer, golden(layer, X), 1, 0));
  });

  it("the reordered schedule is hazard-free (the check stays low) and bit-exact", async () => {
    const s = buildSchedule(makeLayer(spec), 2, 1);
    expect(s.bubbles).toBe(0);
    await checkBitExact(spec, 2, 1, 2, { pGo: 1, pReady: 1, array: { checkHazards: true } });
  });

  it("kernels too short to reorder get bubbles: n = 1, the same index in every kernel", async () => {
    const one: LayerSpec = { cin: 5, cout: 1, K: 8, n: 1, seed: 32, indices: () => 11 };
    const s = buildSchedule(makeLayer(one), 1, 1);
    expect(s.bubbles).toBe(2 * 4);
    await checkBitExact(one, 1, 1, 2, { pGo: 1, pReady: 1, array: { checkHazards: true } });
  });
});

describe("PeArray performance and Verilog", () => {
  // Steady state (x always valid, y always ready): the period between the last output columns of
  // consecutive tiles, averaged over the last two, against peArrayRates().tile.
  const configs: [string, LayerSpec, number, number, ArrayOpts][] = [
    ["conv1 1x6 P=2 (2x1) D=8 2 lanes", { cin: 1, cout: 6, K: 8, n: 10, seed: 11 }, 2, 1, { drainWords: 8, ifftLanes: 2 }],
    ["conv1 1x6 P=2 (2x1) D=4", { cin: 1, cout: 6, K: 8, n: 10, seed: 11 }, 2, 1, { drainWords: 4 }],
    ["conv2 6x16 P=8 (8x1)", { cin: 6, cout: 16, K: 8, n: 10, seed: 12 }, 8, 1, {}],
    ["conv2 6x16 P=8 (4x2)", { cin: 6, cout: 16, K: 8, n: 10, seed: 12 }, 4, 2, {}],
    ["16x16 P=4 (4x1) xWords 1", { cin: 16, cout: 16, K: 8, n: 10, seed: 16 }, 4, 1, { xWords: 1 }],
  ];
  it("PE utilisation measured in simulation matches the cycle model", async () => {
    const rows: string[] = [];
    for (const [name, spec, pOut, pIn, opts] of configs) {
      const layer = makeLayer(spec);
      const tiles = 4;
      const X = makeInputs(layer, tiles, 99);
      const got = await runArray(layer, pOut, pIn, X, { seed: 1, pGo: 1, pReady: 1, array: opts });
      const want = golden(layer, X);
      got.cols.forEach((cols, j) => expect(cols).toEqual(laneColumns(layer, want, got.cols.length, j)));
      const array = peArrayParams(layer, pOut, pIn, opts);
      const s = peArraySchedule(array);
      const model = peArrayRates(array);
      const perTile = Math.ceil(layer.cout / got.cols.length) * s.half; // lane 0's columns per tile
      const ends = Array.from({ length: tiles }, (_, t) => got.at[0]![(t + 1) * perTile - 1]!);
      const periods = ends.slice(1).map((e, t) => e - ends[t]!);
      const steady = (periods[periods.length - 1]! + periods[periods.length - 2]!) / 2;
      expect(steady).toBe(model.tile);
      const utilSteady = s.macsPerTile / (s.P * steady);
      rows.push(
        `${name.padEnd(32)} MACs/tile ${String(s.macsPerTile).padStart(4)}  ideal ${(s.macsPerTile / s.P).toFixed(1).padStart(6)}  ` +
          `mac ${model.mac} load ${model.load} drain ${model.drain} lane ${model.lane} pair ${model.pair} -> model ${model.tile}  ` +
          `measured periods ${periods.join("/")}  utilisation steady ${(100 * utilSteady).toFixed(1)}%`,
      );
    }
    console.log(`PE array rates (K 8, n 10, useful MACs / (P x cycles)):\n${rows.join("\n")}`);
  });

  it("emits Verilog that Icarus, Verilator and Yosys accept without warnings (conv2 shape, pOut 4, pIn 2, 2+2 lanes)", async () => {
    const d = elaborate(PeArray, peArrayParams(makeLayer({ cin: 6, cout: 16, K: 8, n: 10, seed: 13 }), 4, 2, { fftLanes: 2, ifftLanes: 2 }));
    expect(d.ports.map((p) => p.name)).toEqual(
      expect.arrayContaining(["x_0_valid", "x_0_ready", "x_0_bits_last", "x_1_bits_col_7_im", "y_0_valid", "y_1_ready", "y_0_bits_last", "y_1_bits_col_7_im", "macs"]),
    );
    expect(d.ports.find((p) => p.name === "y_0_bits_col_0_re")!.width).toBe(22);
    await expectCleanVerilog(d.verilog, d.top);
  });

  it("rejects lane counts that do not divide the PE grid, naming the instantiation", () => {
    expect(() => elaborate(PeArray, peArrayParams(makeLayer({ cin: 6, cout: 16, K: 8, n: 10, seed: 13 }), 4, 2, { ifftLanes: 3 }))).toThrow(
      /test\/spec2\/pe-array\.test\.ts:\d+: PeArray: ifftLanes must divide pOut = 4 and be at most Cout = 16, got 3/,
    );
  });
});

// The trained, pruned LeNet weights (prune/run.ts writes them to weights/lenet, or the directory
// in $SPEC2_WEIGHTS_DIR); runs when present.
const weightsDir = process.env.SPEC2_WEIGHTS_DIR ?? fileURLToPath(new URL("../../weights/lenet", import.meta.url));
describe.runIf(existsSync(`${weightsDir}/manifest.json`))("PeArray with the trained LeNet weights (weights/lenet)", () => {
  it("conv1 (pOut 2, pIn 1, whole-column drain, 2 IFFT lanes) and conv2 (pOut 8, pIn 1) are bit-exact on random spectra", async () => {
    const m = loadWeights(weightsDir);
    await checkBitExact(fixedLayerOf(m, 0), 2, 1, 2, { pGo: 0.9, pReady: 0.8, array: { drainWords: 8, ifftLanes: 2 } }, 21);
    await checkBitExact(fixedLayerOf(m, 1), 8, 1, 2, { pGo: 0.9, pReady: 0.8 }, 22);
  });
});
