/**
 * SPEC2 properties, proved for every input sequence and traces of any length (k-induction):
 * - the stream rule, asserted by the units themselves (assertStreamRules): the InputTiler's
 *   output and the PE array's IFFT lanes y[j] (streams with back-pressure) keep valid high and
 *   their word unchanged until ready takes it, every input free, and so do all the streams of a
 *   small layer with its driver (LayerBench); a source that withdraws its word
 *   is refuted (the engine's units: engine/stream-rules.test.ts);
 * - the PE's accumulator pipeline never reads a stale accumulator word (one whose previous MAC is
 *   still in S3/S4) when MACs into one word are issued ACC_RMW_DISTANCE = 3 cycles apart, the
 *   schedule rule; with 2 cycles (a broken schedule) the proof finds the stale read. The bit-exact
 *   layer tests only sample this property on the schedules they run;
 * - the pipelined FFT equals a reference formulation (test/spec2/fixtures/fft-miter.ts), and the
 *   check catches a reference with two outputs swapped: for K = 4 against general complex
 *   products in one miter; for K = 8 in two steps, because the one general-product miter did
 *   not finish in 240 s: the pipeline equals the reference built with the pipeline's constant
 *   twiddle arithmetic (structure, registers, valid timing, output order), and for every twiddle
 *   of the transform that constant arithmetic equals the general product (butterfly-miter.ts,
 *   combinational, with z3: the 45-degree twiddles' distributivity is slow for Yosys's own SAT).
 *   Substituting the second into the first gives the pipeline equal to the general-product
 *   reference.
 */
import { describe, expect, it } from "vitest";
import { InputTiler } from "../../hdl/spec2/input-tiler";
import { layerBench } from "../../hdl/spec2/layer-driver";
import { ACC_RMW_DISTANCE } from "../../hdl/spec2/pe";
import { PeArray, peArrayParams } from "../../hdl/spec2/pe-array";
import { randomLayer } from "../../hdl/spec2/perf/random-layer";
import { prove, proveDesign } from "../../synth/index";
import { ButterflyMiter } from "./fixtures/butterfly-miter";
import { FftMiter, fftTwiddles } from "./fixtures/fft-miter";
import { PeScheduleCheck } from "./fixtures/pe-harness";
import { WithdrawingSource } from "./fixtures/stream-harness";

describe("stream rule", () => {
  const layer = randomLayer({ cin: 2, h: 6, w: 6, k: 3, p: 1, K: 4, cout: 1, density: 0.25, pOut: 1, pIn: 1 }, 1).acc.layer;

  it("holds for the InputTiler's output stream", async () => {
    const r = await prove(InputTiler, { layer }, { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(["out: valid stays high until ready", "out: the word stays unchanged until ready"]);
  });

  it("holds for the PE array's IFFT lanes (K = 4, 1 x 1 PE)", async () => {
    const r = await prove(PeArray, peArrayParams(layer, 1, 1), { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(["y0: valid stays high until ready", "y0: the word stays unchanged until ready"]);
  });

  it("holds for every stream of a layer and of its driver (LayerBench: load, queues, tiler, PE array)", async () => {
    const small = randomLayer({ cin: 1, h: 4, w: 4, k: 3, p: 1, K: 4, cout: 1, density: 0.25, pOut: 1, pIn: 1 }, 1).acc.layer;
    const r = await proveDesign(layerBench({ layer: small, pOut: 1, pIn: 1 }, 1), { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(expect.arrayContaining(["load: valid stays high until ready", "out: valid stays high until ready", "y0: valid stays high until ready", "deq: valid stays high until ready"]));
  }, 120_000);

  it("is refuted for a source that withdraws its word", async () => {
    const r = await prove(WithdrawingSource, undefined, { depth: 8 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("out: valid stays high until ready");
    const [before, at] = r.trace.rows.slice(-2);
    expect([before!.values.out_valid, before!.values.out_ready, at!.values.out_valid]).toEqual(["1", "0", "0"]);
  });
});

describe("PE accumulator pipeline", () => {
  // small widths keep the multipliers cheap; the pipeline and its addressing are the real ones
  const pe = { K: 4, xBits: 4, weightBits: 4, accBits: 10, oLoc: 2, xWords: 1, drainWords: 1 };

  it("never reads a stale accumulator word under the schedule rule", async () => {
    expect(ACC_RMW_DISTANCE).toBe(3);
    const r = await prove(PeScheduleCheck, { pe, distance: ACC_RMW_DISTANCE }, { depth: 6 });
    expect(r.status).toBe("proved");
  });

  it("reads a stale word when MACs into one word come 2 cycles apart", async () => {
    const r = await prove(PeScheduleCheck, { pe, distance: 2 }, { depth: 6 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("no MAC reads an accumulator word with a write still pending");
    // two useful MACs 2 cycles apart, the second a read (not first) into the same word
    const issued = r.trace.rows.filter((row) => row.values.reset === "0" && row.values.issued === "1" && row.values.entry_useful === "1").map((row) => row.step);
    expect(issued.some((s) => issued.includes(s + 2))).toBe(true);
  });
});

describe("FFT equivalence", () => {
  it("K = 4: the pipeline equals the reference transform", async () => {
    const r = await prove(FftMiter, { K: 4, dataBits: 8, twiddleFrac: 6 }, { depth: 4 });
    expect(r.status).toBe("proved");
  });

  it("K = 4: a reference with two outputs swapped is refuted", async () => {
    const r = await prove(FftMiter, { K: 4, dataBits: 8, twiddleFrac: 6, broken: true }, { depth: 4 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("the pipelined FFT equals the reference transform");
    expect(r.step).toBeGreaterThanOrEqual(3); // the first vector leaves the 2-stage pipeline after reset + 2 cycles
  });

  // K = 8 at 7-bit data and 5 fraction bits (45-degree twiddle 23/32): the structure proof and
  // the twiddle proofs at the same widths, so that they compose; at 8/6 the twiddle proofs
  // take ten times longer (about 50 s each) for no new kind of bug they could catch
  const k8 = { dataBits: 7, twiddleFrac: 5 };

  it("K = 8: the pipeline's structure equals the reference (same twiddle arithmetic)", async () => {
    const r = await prove(FftMiter, { K: 8, ...k8, sameArithmetic: true }, { depth: 5 });
    expect(r.status).toBe("proved");
  });

  it("K = 8: a reference with two outputs swapped is refuted", async () => {
    const r = await prove(FftMiter, { K: 8, ...k8, sameArithmetic: true, broken: true }, { depth: 5 });
    expect(r.status).toBe("failed");
  });

  it.each(fftTwiddles(8, k8.twiddleFrac))("K = 8: the constant twiddle (%i, %i) multiplies as the general product", async (re, im) => {
    // depth 2: step 0 is the reset step, where assertions do not count
    const r = await prove(ButterflyMiter, { ...k8, twiddle: [re, im] }, { depth: 2, engine: "smtbmc" });
    expect(r.status).toBe("proved");
  }, 300_000);

  it("K = 8: a constant twiddle rounded one bit short is refuted", async () => {
    const r = await prove(ButterflyMiter, { ...k8, twiddle: fftTwiddles(8, k8.twiddleFrac)[1]!, broken: true }, { depth: 2, engine: "smtbmc" });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("the constant-twiddle butterfly equals the general product");
  });
});
