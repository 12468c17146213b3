/**
 * The SPEC2 stream rule, proved: the InputTiler's output (a stream with back-pressure) keeps
 * valid high and its row unchanged until out_ready takes it, for every input sequence (every
 * input of the harness is free) and traces of any length (k-induction). A source that withdraws
 * its word breaks the same rule and is refuted.
 */
import { describe, expect, it } from "vitest";
import { randomLayer } from "../../hdl/spec2/perf/random-layer";
import { prove } from "../../synth/index";
import { TilerStreamRules, WithdrawingSource } from "./fixtures/stream-harness";

describe("stream rule", () => {
  it("holds for the InputTiler's output stream", async () => {
    const layer = randomLayer({ cin: 2, h: 6, w: 6, k: 3, p: 1, K: 4, cout: 1, density: 0.25, pOut: 1, pIn: 1 }, 1).acc.layer;
    const r = await prove(TilerStreamRules, { layer }, { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(["out: valid stays high until ready", "out: the word stays unchanged until ready"]);
  });

  it("is refuted for a source that withdraws its word", async () => {
    const r = await prove(WithdrawingSource, undefined, { depth: 8 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("out: valid stays high until ready");
    const [before, at] = r.trace.rows.slice(-2);
    expect([before!.values.out_valid, before!.values.out_ready, at!.values.out_valid]).toEqual(["1", "0", "0"]);
  });
});
