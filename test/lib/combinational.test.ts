/**
 * The combinational helpers of hdl/lib (one-hot, priority, trees, PopCount) against TypeScript
 * models on random inputs, on both simulators, and their Verilog through the three tools.
 */
import { describe, it } from "vitest";
import { Input, Output, UInt, Vec, defineModule, elaborate } from "../../hdl/core";
import { Mux1H, OHToUInt, PopCount, PriorityEncoder, PriorityEncoderOH, PriorityMux, selectTree, sumTree, treeReduce, UIntToOH } from "../../hdl/lib";
import { rng, randInt } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";
import { BACKENDS, expectCycles } from "./harness";

const W = 13;
const Comb = defineModule("LibComb", () => {
  const x = Input(UInt(W));
  const sel = Input(UInt(4));
  const oh = Input(UInt(5));
  const vals = Input(Vec(5, UInt(9)));
  const toOH = Output(UInt(12));
  const fromOH = Output(UInt(3));
  const prio = Output(UInt(4));
  const prioOH = Output(UInt(W));
  const m1h = Output(UInt(9));
  const pmux = Output(UInt(9));
  const count = Output(UInt(4));
  const xorAll = Output(UInt(9));
  const sum = Output(UInt(12));
  const pick = Output(UInt(9));
  toOH.assign(UIntToOH(sel, 12));
  fromOH.assign(OHToUInt(oh));
  prio.assign(PriorityEncoder(x));
  prioOH.assign(PriorityEncoderOH(x));
  m1h.assign(Mux1H(oh, [...vals]));
  pmux.assign(PriorityMux([...Array(5)].map((_, i) => oh.bit(i)), [...vals]));
  count.assign(PopCount(x));
  xorAll.assign(treeReduce([...vals], (a, b) => a.xor(b)));
  sum.assign(sumTree([...vals]).resize(12));
  pick.assign(selectTree([...vals], sel.bits(2, 0)));
  return { x, sel, oh, vals, toOH, fromOH, prio, prioOH, m1h, pmux, count, xorAll, sum, pick };
});

describe("hdl/lib combinational helpers", () => {
  const d = elaborate(Comb, undefined);
  const r = rng(11);
  const stim = Array.from({ length: 400 }, (_, c) => {
    const onehot = c % 3 === 0 ? 1 << randInt(r, 0, 4) : randInt(r, 0, 31);
    return { x: c % 17 === 0 ? 0 : randInt(r, 0, 2 ** W - 1), sel: randInt(r, 0, 15), oh: onehot, ...Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`vals_${i}`, randInt(r, 0, 511)])) };
  });
  const want = stim.map((s) => {
    const vals = [0, 1, 2, 3, 4].map((i) => (s as Record<string, number>)[`vals_${i}`]!);
    const setBits = [0, 1, 2, 3, 4].filter((i) => (s.oh >> i) & 1);
    const low = s.x === 0 ? 0 : Math.log2(s.x & -s.x);
    return {
      toOH: s.sel < 12 ? 1 << s.sel : 0,
      fromOH: setBits.reduce((a, i) => a | i, 0),
      prio: low,
      prioOH: s.x & -s.x,
      m1h: setBits.reduce((a, i) => a | vals[i]!, 0),
      pmux: setBits.length > 0 ? vals[setBits[0]!]! : vals[4]!,
      count: s.x.toString(2).split("").filter((b) => b === "1").length,
      xorAll: vals.reduce((a, b) => a ^ b, 0),
      sum: vals.reduce((a, b) => a + b, 0),
      pick: (s.sel & 7) < 5 ? vals[s.sel & 7]! : vals[4]!,
    };
  });
  for (const backend of BACKENDS) it(`${backend}: every helper against its model, 400 random vectors`, () => expectCycles(d, stim, want, backend));
  it("is clean in iverilog, Verilator and Yosys", () => expectCleanVerilog(d.verilog, d.top));
});
