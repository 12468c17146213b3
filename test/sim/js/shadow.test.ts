/**
 * How unknown values propagate with `checkUninitialised` (sim/js/shadow.ts), against Icarus's
 * four-state X: on designs that exercise each rule (a mux passes the selected arm, a known 0
 * decides `and` and a known 1 `or`, arithmetic and comparisons of an unknown are unknown,
 * registers and memory words carry unknowns on), the same outputs are unknown on the same
 * cycles on both. On random designs of the three-way test with their reset late, every X of
 * Icarus is unknown on the JS backend too. Then where the JS backend is stricter, pinned.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Mem, Output, Reg, UInt, cat, defineModule, elaborate, mux, when } from "../../../hdl/core";
import { runBatch, type Sample, type Stimulus } from "../../../sim";
import { rng } from "../../helpers/rng";
import { stimulusFor } from "../three-way/compare";
import { gang } from "../three-way/gang";
import { recipes } from "../three-way/recipe";

const Rules = defineModule("Rules", () => {
  const sel = Input(Bool());
  const en = Input(Bool());
  const v = Input(Bool());
  const d = Input(UInt(8));
  const we = Input(Bool());
  const wa = Input(UInt(3));
  const ra = Input(UInt(3));
  const r = Reg(UInt(8));
  const k = Reg(UInt(8), { init: 3 });
  const flag = Reg(Bool());
  const later = Reg(UInt(8));
  when(en, () => {
    r.assign(d);
    flag.assign(v);
  });
  later.assign(r);
  const mem = Mem(8, UInt(8));
  mem.write(wa, d, { enable: we });
  const picked = Output(UInt(8));
  const both = Output(Bool());
  const either = Output(Bool());
  const sum = Output(UInt(8));
  const same = Output(Bool());
  const chained = Output(UInt(8));
  const equalArms = Output(UInt(8));
  const word = Output(UInt(8));
  const syncWord = Output(UInt(8));
  picked.assign(mux(sel, r, k));
  both.assign(v.and(flag));
  either.assign(v.or(flag));
  sum.assign(r.addWrap(d));
  same.assign(r.eq(d));
  chained.assign(later);
  equalArms.assign(mux(flag, d, d));
  word.assign(mem.readAsync(ra));
  syncWord.assign(mem.readSync(ra));
  return { sel, en, v, d, we, wa, ra, picked, both, either, sum, same, chained, equalArms, word, syncWord };
});

function stimulus(seed: number, cycles: number): Stimulus[] {
  const r = rng(seed);
  const bit = (p: number): number => (r() < p ? 1 : 0);
  return Array.from({ length: cycles }, (_, c) => ({
    reset: c === 6 ? 1 : 0,
    sel: bit(0.5),
    en: c < 12 ? 0 : bit(0.2),
    v: bit(0.5),
    d: Math.floor(r() * 256),
    we: bit(0.15),
    wa: Math.floor(r() * 8),
    ra: Math.floor(r() * 8),
  }));
}

/** Per cycle, the outputs that are unknown (left out of an `allowX` sample). */
function unknownOutputs(samples: readonly Sample[], outputs: readonly string[]): string[][] {
  return samples.map((s) => outputs.filter((o) => !(o in s)));
}

describe("unknown values: the JS backend against Icarus", () => {
  it("the same outputs are unknown on the same cycles, and the known ones agree", async () => {
    const design = elaborate(Rules);
    const outputs = design.ports.filter((p) => p.direction === "output").map((p) => p.name);
    const stim = stimulus(11, 80);
    const icarus = await runBatch(design, stim, { backend: "iverilog", allowX: true });
    const js = await runBatch(design, stim, { backend: "js", checkUninitialised: "report", allowX: true });
    const xs = unknownOutputs(icarus, outputs);
    expect(unknownOutputs(js, outputs)).toEqual(xs);
    expect(js).toEqual(icarus);
    // the stimulus reaches every case: each output unknown on some cycle, known on a later one (but equalArms, never unknown)
    for (const o of outputs.filter((x) => x !== "equalArms")) {
      const first = xs.findIndex((c) => c.includes(o));
      expect(first, o).toBeGreaterThanOrEqual(0);
      expect(xs.slice(first).some((c) => !c.includes(o)), o).toBe(true);
    }
    expect(xs.some((c) => c.includes("equalArms"))).toBe(false);
    // a known 0 decided `both` while flag was unknown, a known 1 `either`, and the mux picked k
    const flagUnknown = xs.map((c) => c.includes("sum") && c.includes("both") !== c.includes("either"));
    expect(flagUnknown.some(Boolean)).toBe(true);
    expect(xs.some((c, i) => c.includes("sum") && !c.includes("picked") && stim[i]!.sel === 0)).toBe(true);
  });
});

describe("unknown values: random designs against Icarus", () => {
  it("every output Icarus shows X is unknown on the JS backend, and the values known on both agree", async () => {
    // reset only at cycles 30..34: before it, the registers with a reset value are unknown too
    const d = gang(recipes(20, 5));
    const stim = stimulusFor(d, 5, 120).map((s, k) => ({ ...s, [d.reset!]: k >= 30 && k < 35 ? 1 : 0 }));
    const icarus = await runBatch(d, stim, { backend: "iverilog", allowX: true });
    const js = await runBatch(d, stim, { backend: "js", checkUninitialised: "report", allowX: true });
    const outputs = d.ports.filter((p) => p.direction === "output").map((p) => p.name);
    let icarusX = 0;
    let jsUnknown = 0;
    stim.forEach((_, k) => {
      for (const o of outputs) {
        if (!(o in icarus[k]!)) icarusX++;
        if (!(o in js[k]!)) jsUnknown++;
        if (!(o in icarus[k]!)) expect(o in js[k]!, `${o} at cycle ${k}`).toBe(false);
        else if (o in js[k]!) expect(js[k]![o], `${o} at cycle ${k}`).toBe(icarus[k]![o]);
      }
    });
    expect(icarusX).toBeGreaterThan(100);
    // stricter: unknown when conditions and enables (Icarus's `if (x)` takes the else branch)
    expect(jsUnknown).toBeGreaterThan(icarusX);
  });
});

describe("unknown values: where the JS backend is stricter than Icarus", () => {
  const Stricter = defineModule("Stricter", () => {
    const d = Input(UInt(4));
    const branch = Output(UInt(2));
    const low = Output(UInt(4));
    const flag = Reg(Bool());
    const r = Reg(UInt(4));
    // `if (x)` in Verilog is not taken: Icarus shows the default, d's low bits, with no X
    branch.assign(d.bits(1, 0));
    when(flag, () => branch.assign(3));
    // one flag per value: the low half of {r, d} is d, known on Icarus, unknown here
    low.assign(cat(r, d).bits(3, 0));
    return { d, branch, low };
  });

  it("an unknown when condition makes what it assigns unknown; a slice of a partly unknown value is unknown", async () => {
    const design = elaborate(Stricter);
    const stim = [{ d: 5 }, { d: 6 }];
    expect(await runBatch(design, stim, { backend: "iverilog" })).toEqual([
      { branch: 1, low: 5 },
      { branch: 2, low: 6 },
    ]);
    expect(await runBatch(design, stim, { backend: "js", checkUninitialised: "report", allowX: true })).toEqual([{}, {}]);
  });
});
