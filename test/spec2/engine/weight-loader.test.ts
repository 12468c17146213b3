/**
 * Streamed weights end to end: two random layers of one shape packed as weight images
 * (weight-image.ts) in a BurstMemory, read by WeightLoader into a PeArray with `weights:
 * { maxDepth }`, three passes back to back (A for 2 tiles, B for 2, A again for 1: each bank
 * loaded while the other computes, bank 0 reloaded after its release). Every output column is
 * checked against the golden model's accumulation and macToIfftInput of its pass's layer
 * (test/helpers/pe-array-golden.ts, from spectral/fixed); fast and slow memory (rows of one and
 * of three beats), random stalls of the weight stream, of x and of y change cycles, never
 * results; with fast memory the steady-state tile period equals the kernel-ROM array's. The
 * bench and the golden columns: test/helpers/streamed-array-bench.ts; run-time channel counts:
 * test/spec2/pe-array-channels.test.ts.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { PeArray, peArrayParams, peArrayRates } from "../../../hdl/spec2/pe-array";
import { buildSchedule } from "../../../hdl/spec2/schedule";
import { WeightLoader } from "../../../hdl/spec2/engine/weight-loader";
import { weightRowShape } from "../../../hdl/spec2/weight-row";
import type { FixedLayer } from "../../../spectral/fixed";
import { makeInputs, makeLayer, type LayerSpec } from "../../helpers/pe-array-golden";
import { FAST, MAX_DEPTH, P_IN, P_OUT, SLOW, TILE_BITS, expectGolden, runBench, type PassSet, type Run } from "../../helpers/streamed-array-bench";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const SPEC_A: LayerSpec = { cin: 3, cout: 4, K: 8, n: 6, seed: 41 };
const SPEC_B: LayerSpec = { cin: 3, cout: 4, K: 8, n: 6, seed: 42 };
const ARRAY_OPTS = { drainWords: 8 } as const;

/** the passes: layer A for 2 tiles, B for 2, A for 1 */
const PASSES: readonly (readonly [string, number])[] = [["A", 2], ["B", 2], ["A", 1]];
function setAB(): PassSet {
  return { layers: { A: makeLayer(SPEC_A), B: makeLayer(SPEC_B) }, passes: PASSES, opts: ARRAY_OPTS };
}

/** End cycle (last output column of lane 0) of every tile. */
function tileEnds(layer: FixedLayer, got: Run, tiles: number): number[] {
  const perTile = Math.ceil(layer.cout / got.cols.length) * (layer.K / 2 + 1);
  return Array.from({ length: tiles }, (_, t) => got.at[0]![(t + 1) * perTile - 1]!);
}
describe("PeArray with weights streamed by WeightLoader from a BurstMemory", () => {
  const set = setAB();
  const layers = { A: set.layers.A!, B: set.layers.B! };
  const X = makeInputs(layers.A, 5, 1234);

  it("the two layers differ and have the same schedule depth (so the steady state is comparable)", () => {
    const a = buildSchedule(layers.A, P_OUT, P_IN);
    const b = buildSchedule(layers.B, P_OUT, P_IN);
    expect(a.depth).toBe(b.depth);
    expect(a.depth).toBeLessThanOrEqual(MAX_DEPTH);
    expect(JSON.stringify(layers.A.kernels)).not.toEqual(JSON.stringify(layers.B.kernels));
  });

  for (const backend of ["js", "iverilog", "verilator"] as const) {
    it(`${backend}: fast memory (a row per beat), x and y stalls: A, B, A back to back, bit-exact`, async () => {
      const got = await runBench(backend, set, X, FAST, { pGo: 0.8, pReady: 0.7, pW: 1 }, 1);
      expectGolden(set, X, got);
    }, 180_000);
    if (backend === "verilator") continue;

    it(`${backend}: slow memory (2 B/clock, latency 20, three beats a row) and a stalling weight stream, bit-exact`, async () => {
      const got = await runBench(backend, set, X, SLOW, { pGo: 1, pReady: 0.8, pW: 0.5 }, 2);
      expectGolden(set, X, got);
    }, 120_000);
  }

  it("js: weight-stream stalls change cycles, never results", async () => {
    const free = await runBench("js", set, X, FAST, { pGo: 1, pReady: 1, pW: 1 }, 3);
    const stalled = await runBench("js", set, X, FAST, { pGo: 1, pReady: 1, pW: 0.3 }, 3);
    expectGolden(set, X, free);
    expectGolden(set, X, stalled);
    expect(stalled.cols).toEqual(free.cols);
    expect(stalled.at[0]!.at(-1)!).toBeGreaterThan(free.at[0]!.at(-1)!);
  }, 120_000);

  it("js: with fast memory the steady-state tile period equals the kernel-ROM array's (and the cycle model's)", async () => {
    const streamed = await runBench("js", set, X, FAST, { pGo: 1, pReady: 1, pW: 1 }, 4);
    const rom = await runBench("js", set, X, undefined, { pGo: 1, pReady: 1, pW: 1 }, 4);
    expectGolden({ ...set, passes: [["A", 5]] }, X, rom);
    const se = tileEnds(layers.A, streamed, 5);
    const re = tileEnds(layers.A, rom, 5);
    const periods = (e: number[]): number[] => e.slice(1).map((v, t) => v - e[t]!);
    const romSteady = periods(re).at(-1)!;
    expect(romSteady).toBe(peArrayRates(peArrayParams(layers.A, P_OUT, P_IN, ARRAY_OPTS)).tile);
    // from the second tile on, across the switches A -> B -> A
    expect(periods(se).slice(1)).toEqual(new Array<number>(3).fill(romSteady));
    console.log(`tile ends: streamed ${se.join(" ")} (periods ${periods(se).join("/")}), ROM ${re.join(" ")} (periods ${periods(re).join("/")})`);
  }, 120_000);

  it("emits Verilog that Icarus, Verilator and Yosys accept without warnings (the streamed array and the loader)", async () => {
    const s = buildSchedule(layers.A, P_OUT, P_IN);
    const array = elaborate(PeArray, peArrayParams(layers.A, P_OUT, P_IN, { ...ARRAY_OPTS, weights: { maxDepth: MAX_DEPTH } }));
    expect(array.ports.map((q) => q.name)).toEqual(expect.arrayContaining(["weights_valid", "weights_ready", "weights_bits_last", "weights_bits_tiles", "weights_bits_words_3"]));
    await expectCleanVerilog(array.verilog, array.top);
    const loader = elaborate(WeightLoader, { port: SLOW.port, row: weightRowShape(s), maxDepth: MAX_DEPTH, tileBits: TILE_BITS });
    await expectCleanVerilog(loader.verilog, loader.top);
    // bursts of 256 beats (AXI's 8-bit len) longer than any command: the count still holds a burst
    expect(() => elaborate(WeightLoader, { port: { addrBits: 32, dataBytes: 64 }, row: weightRowShape(s), maxDepth: 16, tileBits: TILE_BITS })).not.toThrow();
  }, 180_000);
});
