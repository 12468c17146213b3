/**
 * What the three-way differential test found. Emitter bugs (Icarus and Verilator agreed with
 * each other, the JS backend followed the IR): Verilog typed an expression unsigned where the IR
 * types it signed, so a later `>>>` or comparison treated it as unsigned; expected values are
 * worked out by hand from the IR semantics (hdl/core/README.md). And a Verilator 5.006
 * optimisation bug (its DFG pass; Icarus and the JS backend agreed), avoided with -fno-dfg.
 */
import { describe, expect, it } from "vitest";
import { Input, Output, SInt, UInt, defineModule, elaborate } from "../../hdl/core/index";
import { runBatch, type Backend } from "../../sim/index";
import { runThreeWay } from "./three-way/compare";
import { gang } from "./three-way/gang";

const backends: Backend[] = ["js", "iverilog", "verilator"];

const NegShift = defineModule("NegShift", () => {
  const x = Input(UInt(4));
  const amt = Input(UInt(3));
  const y = Output(SInt(5));
  y.assign(x.neg().shr(amt)); // -x is signed: the shift is arithmetic
  return { x, amt, y };
});

const ShlCompare = defineModule("ShlCompare", () => {
  const a = Input(SInt(4));
  const b = Input(SInt(4));
  const lt = Output(UInt(1));
  lt.assign(a.shl(2).lt(b.shl(2))); // a signed comparison of two signed values
  return { a, b, lt };
});

describe.each(backends)("emitter bugs found by the three-way test, on %s", (backend) => {
  it("the negation of an unsigned value is signed: -5 >>> 1 is -3, -5 >>> 3 is -1", async () => {
    const got = await runBatch(elaborate(NegShift), [{ x: 5, amt: 1 }, { x: 5, amt: 3 }, { x: 8, amt: 2 }], { backend });
    expect(got.map((s) => s.y)).toEqual([-3, -1, -2]);
  });

  it("a signed constant shift left stays signed: (-1 << 2) < (1 << 2)", async () => {
    const got = await runBatch(elaborate(ShlCompare), [{ a: -1, b: 1 }, { a: 1, b: -1 }, { a: -2, b: -1 }], { backend });
    expect(got.map((s) => s.lt)).toEqual([1, 0, 1]);
  });
});

describe("a design Verilator 5.006 miscomputed with its DFG optimisation on", () => {
  it("the shrunk design agrees on all three simulators (d0_out1 at cycle 38 was 0 on Verilator, 1 on the others)", { timeout: 300_000 }, async () => {
    const recipe = { seed: 305791494, inputs: 3, outputs: 2, wires: 1, regs: 1, plainRegs: 1, mems: 0, levels: 1, copies: 1, lib: 0, depth: 1, maxWidth: 74 };
    const res = await runThreeWay(gang([recipe]), 16015, 40);
    expect(res.disagreements).toEqual([]);
  });
});
