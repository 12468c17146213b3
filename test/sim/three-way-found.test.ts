/**
 * What the three-way differential test found. Emitter bugs (Icarus and Verilator agreed with
 * each other, the JS backend followed the IR): Verilog typed an expression unsigned where the IR
 * types it signed, so a later `>>>` or comparison treated it as unsigned; expected values are
 * worked out by hand from the IR semantics (hdl/core/README.md). A Verilator 5.006
 * optimisation bug (its DFG pass; Icarus and the JS backend agreed), avoided with -fno-dfg. And
 * an Icarus deviation (Verilator and the JS backend agreed): it evaluates a memory index wider
 * than the index expression's own width, so `m[a - b]` with a < b misses the word instead of
 * wrapping; the emitter now gives every memory address that is an expression a wire.
 */
import { describe, expect, it } from "vitest";
import { Input, Mem, Output, SInt, UInt, defineModule, elaborate } from "../../hdl/core/index";
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

/** A memory written and read at p - q: the address wraps to 4 bits (1 - 3 is 14). */
const WrapAddress = defineModule("WrapAddress", () => {
  const p = Input(UInt(4));
  const q = Input(UInt(4));
  const we = Input(UInt(1));
  const d = Input(UInt(4));
  const y = Output(UInt(4));
  const m = Mem(16, UInt(4), { init: new Array<number>(16).fill(0) });
  // two nodes, each used once, so each is written in place (a shared node would get a wire anyway)
  m.write(p.subWrap(q), d, { enable: we });
  y.assign(m.readAsync(p.subWrap(q)));
  return { p, q, we, d, y };
});

describe.each(backends)("emitter bugs found by the three-way test, on %s", (backend) => {
  it("a memory address p - q wraps to the address width: written and read at 1 - 3 = 14", async () => {
    const stim = [{ p: 1, q: 3, we: 1, d: 9 }, { p: 1, q: 3, we: 0, d: 0 }, { p: 14, q: 0, we: 0, d: 0 }, { p: 0, q: 3, we: 0, d: 0 }];
    const got = await runBatch(elaborate(WrapAddress), stim, { backend });
    expect(got.map((s) => s.y)).toEqual([0, 9, 9, 0]);
  });

  it("the negation of an unsigned value is signed: -5 >>> 1 is -3, -5 >>> 3 is -1", async () => {
    const got = await runBatch(elaborate(NegShift), [{ x: 5, amt: 1 }, { x: 5, amt: 3 }, { x: 8, amt: 2 }], { backend });
    expect(got.map((s) => s.y)).toEqual([-3, -1, -2]);
  });

  it("a signed constant shift left stays signed: (-1 << 2) < (1 << 2)", async () => {
    const got = await runBatch(elaborate(ShlCompare), [{ a: -1, b: 1 }, { a: 1, b: -1 }, { a: -2, b: -1 }], { backend });
    expect(got.map((s) => s.lt)).toEqual([1, 0, 1]);
  });
});

describe("a design Icarus miscomputed with an expression as a memory index", () => {
  it("the shrunk design agrees on all three simulators (d0_out0 at cycle 460 was 17 on Icarus, 104 on the others)", { timeout: 300_000 }, async () => {
    const recipe = { seed: 418582835, inputs: 5, outputs: 1, wires: 0, regs: 3, plainRegs: 1, mems: 1, levels: 0, copies: 1, lib: 0, depth: 1, maxWidth: 170 };
    const res = await runThreeWay(gang([recipe]), 15014, 1000);
    expect(res.disagreements).toEqual([]);
  });
});

describe("a design Verilator 5.006 miscomputed with its DFG optimisation on", () => {
  it("the shrunk design agrees on all three simulators (d0_out1 at cycle 38 was 0 on Verilator, 1 on the others)", { timeout: 300_000 }, async () => {
    const recipe = { seed: 305791494, inputs: 3, outputs: 2, wires: 1, regs: 1, plainRegs: 1, mems: 0, levels: 1, copies: 1, lib: 0, depth: 1, maxWidth: 74 };
    const res = await runThreeWay(gang([recipe]), 16015, 40);
    expect(res.disagreements).toEqual([]);
  });
});
