/**
 * The streamed-weight PE array with run-time channel counts (pe-array-channels.ts,
 * pe-array-load-runtime.ts, pe-array-drain.ts runtimeCout): one build (channel maxima maxCin,
 * maxCout) runs passes of layers of different Cin and Cout back to back, each bank with its
 * layer's cin and cout from the WeightLoader's command, bit-exact tile by tile against the golden
 * model of the tile's layer (test/helpers/pe-array-golden.ts, from spectral/fixed), with stalls on
 * x, y and the weight stream, fast and slow memory, JS backend and Icarus; a bank over either
 * maximum fails the array's assertion; the build is lint-clean.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { PeArray, peArrayParams, peArrayWeightRow } from "../../hdl/spec2/pe-array";
import { buildSchedule } from "../../hdl/spec2/schedule";
import { WeightLoader } from "../../hdl/spec2/engine/weight-loader";
import { makeLayer } from "../helpers/pe-array-golden";
import { FAST, MAX_DEPTH, P_IN, P_OUT, SLOW, TILE_BITS, arrayOf, expectGolden, passInputs, runBench, type PassSet } from "../helpers/streamed-array-bench";
import { expectCleanVerilog } from "../helpers/verilog-tools";

describe("PeArray with streamed weights and run-time channel counts (cin, cout with each bank)", () => {
  // one build (maxCin 5, maxCout 5; 2 x 2 PEs, two FFT and two IFFT lanes), four passes of three
  // layers: rounds 2 with a partial last one, 1, 3 (odd, so the X bank parity changes per tile),
  // output channels 4, 3, 5, 1 (full and partial last blocks, lanes of unequal length, an IFFT
  // lane without a channel)
  const set: PassSet = {
    layers: {
      C1: makeLayer({ cin: 3, cout: 4, K: 8, n: 3, seed: 51 }),
      C2: makeLayer({ cin: 2, cout: 3, K: 8, n: 3, seed: 52 }),
      C3: makeLayer({ cin: 5, cout: 5, K: 8, n: 3, seed: 53 }),
      C4: makeLayer({ cin: 2, cout: 1, K: 8, n: 3, seed: 56 }),
    },
    passes: [["C1", 2], ["C2", 1], ["C3", 2], ["C4", 1], ["C2", 1]],
    opts: { fftLanes: 2, ifftLanes: 2, drainWords: 8 },
    capacity: { maxCin: 5, maxCout: 5 },
  };
  const X = passInputs(set, 4321);

  it("the schedules fit the bank depth", () => {
    for (const layer of Object.values(set.layers)) expect(buildSchedule(layer, P_OUT, P_IN).depth).toBeLessThanOrEqual(MAX_DEPTH);
  });

  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: 3 -> 4 (2 tiles), 2 -> 3 (1), 5 -> 5 (2), 2 -> 1 (1), 2 -> 3 (1) back to back in one build, stalls on x, y and the weights, bit-exact`, async () => {
      const got = await runBench(backend, set, X, FAST, { pGo: 0.8, pReady: 0.7, pW: 0.7 }, 5);
      expectGolden(set, X, got);
    }, 180_000);
  }

  it("js: slow memory (three beats a row), bit-exact", async () => {
    const got = await runBench("js", set, X, SLOW, { pGo: 1, pReady: 0.9, pW: 1 }, 6);
    expectGolden(set, X, got);
  }, 120_000);

  it("js and iverilog: 3 x 3 PEs, one FFT lane over three groups, one IFFT lane: 7 -> 5, 2 -> 7, 4 -> 3 back to back, bit-exact", async () => {
    const odd: PassSet = {
      layers: {
        D1: makeLayer({ cin: 7, cout: 5, K: 8, n: 2, seed: 61 }),
        D2: makeLayer({ cin: 2, cout: 7, K: 8, n: 2, seed: 62 }),
        D3: makeLayer({ cin: 4, cout: 3, K: 8, n: 2, seed: 63 }),
      },
      passes: [["D1", 1], ["D2", 2], ["D3", 1]],
      opts: { drainWords: 2 },
      capacity: { maxCin: 7, maxCout: 7 },
      grid: [3, 3],
    };
    for (const layer of Object.values(odd.layers)) expect(buildSchedule(layer, 3, 3).depth).toBeLessThanOrEqual(MAX_DEPTH);
    const Xo = passInputs(odd, 99);
    for (const backend of ["js", "iverilog"] as const) expectGolden(odd, Xo, await runBench(backend, odd, Xo, FAST, { pGo: 0.9, pReady: 0.8, pW: 1 }, 9));
  }, 120_000);

  it("js: a bank of more input channels than maxCin fails the array's assertion", async () => {
    const over: PassSet = { ...set, layers: { ...set.layers, X: makeLayer({ cin: 6, cout: 2, K: 8, n: 3, seed: 54 }) }, passes: [["C1", 1], ["X", 1]] };
    await expect(runBench("js", over, passInputs(over, 1), FAST, { pGo: 1, pReady: 1, pW: 1 }, 7)).rejects.toThrow(
      /pe-array-channels\.ts:\d+: assertion failed at cycle \d+: PeArray: a weight bank's cin must be in 2\.\.maxCin = 5/,
    );
  }, 60_000);

  it("js: a bank of more output channels than maxCout fails the array's assertion", async () => {
    const over: PassSet = { ...set, layers: { ...set.layers, X: makeLayer({ cin: 2, cout: 6, K: 8, n: 3, seed: 55 }) }, passes: [["X", 1]] };
    await expect(runBench("js", over, passInputs(over, 1), FAST, { pGo: 1, pReady: 1, pW: 1 }, 8)).rejects.toThrow(
      /pe-array-channels\.ts:\d+: assertion failed at cycle \d+: PeArray: a weight bank's cout must be in 1\.\.maxCout = 5/,
    );
  }, 60_000);

  it("the channel counts come with the weight rows, sized by the maxima; the array and its loader are clean in Icarus, Verilator and Yosys", async () => {
    const array = arrayOf(set, FAST);
    const d = elaborate(PeArray, array);
    expect(d.ports.find((q) => q.name === "weights_bits_cin")!.width).toBe(3);
    expect(d.ports.find((q) => q.name === "weights_bits_cout")!.width).toBe(3);
    await expectCleanVerilog(d.verilog, d.top);
    const loader = elaborate(WeightLoader, { port: SLOW.port, row: peArrayWeightRow(array)!.shape, maxDepth: MAX_DEPTH, tileBits: TILE_BITS });
    expect(loader.ports.map((q) => q.name)).toEqual(expect.arrayContaining(["cmd_bits_cin", "cmd_bits_cout", "rows_bits_cin", "rows_bits_cout"]));
    await expectCleanVerilog(loader.verilog, loader.top);
  }, 180_000);

  it("rejects channel maxima that are not positive integers, naming the instantiation", () => {
    const layer = set.layers.C1!;
    expect(() => elaborate(PeArray, peArrayParams(layer, P_OUT, P_IN, { weights: { maxDepth: MAX_DEPTH, maxCin: 0 } }))).toThrow(
      /pe-array-channels\.test\.ts:\d+: PeArray: weights\.maxCin must be a positive integer, got 0/,
    );
    expect(() => elaborate(PeArray, peArrayParams(layer, P_OUT, P_IN, { weights: { maxDepth: MAX_DEPTH, maxCout: 2.5 } }))).toThrow(
      /pe-array-channels\.test\.ts:\d+: PeArray: weights\.maxCout must be a positive integer, got 2\.5/,
    );
    // the FFT lanes need a channel each in every tile: at most maxCin of them
    expect(() => elaborate(PeArray, peArrayParams(layer, P_OUT, P_IN, { fftLanes: 2, weights: { maxDepth: MAX_DEPTH, maxCin: 1 } }))).toThrow(
      /PeArray: fftLanes must divide pIn = 2 and be at most Cin = 1, got 2/,
    );
  });
});
