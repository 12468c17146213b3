/**
 * Clock domains: registers, memory ports and instances in the domain in scope; synchronous and
 * asynchronous resets, active high and low, in the Verilog and in simulation on both simulators
 * (domain clocks stepped by name and run with periods); a module instantiated in a domain of
 * another reset style elaborated for it; the crossing check naming both lines; bad domains.
 */
import { describe, expect, it } from "vitest";
import { Bool, HdlError, Input, Mem, Output, Reg, UInt, clockDomain, defineModule, elaborate, when, withClockDomain } from "../../hdl/core";
import { Synchronizer } from "../../hdl/lib";
import { simulate, type Backend } from "../../sim";
import { expectCleanVerilog } from "../helpers/verilog-tools";

/** A counter with a reset value, to instantiate inside domains. */
const Count = defineModule("Count4", () => {
  const en = Input(Bool());
  const q = Output(UInt(4));
  const c = Reg(UInt(4), { init: 9 });
  when(en, () => c.assign(c.addWrap(1)));
  q.assign(c);
  return { en, q };
});

const Two = defineModule("TwoClocks", () => {
  const clkA = Input(Bool());
  const rstA = Input(Bool());
  const clkB = Input(Bool());
  const rstBn = Input(Bool());
  const inc = Input(Bool());
  const a = Output(UInt(4));
  const b = Output(UInt(4));
  const k = Output(UInt(4));
  const A = clockDomain({ clock: clkA, reset: rstA });
  const B = clockDomain({ clock: clkB, reset: rstBn, resetKind: "async", resetActive: "low" });
  const countA = withClockDomain(A, () => {
    const c = Reg(UInt(4), { init: 0 });
    when(inc, () => c.assign(c.addWrap(1)));
    return c;
  });
  withClockDomain(B, () => {
    const s = Synchronizer.instance({ width: 4, stages: 2 });
    s.in.assign(countA);
    const seen = Reg(UInt(4), { init: 3 });
    seen.assign(s.out);
    b.assign(seen);
    const counter = Count.instance(undefined);
    counter.en.assign(inc);
    k.assign(counter.q);
  });
  a.assign(countA);
  return { clkA, rstA, clkB, rstBn, inc, a, b, k };
});

describe("clock domains in the Verilog", () => {
  const d = elaborate(Two);
  it("one always block per register in its domain's clock and reset style", () => {
    expect(d.verilog).toContain("always @(posedge clkA) begin\n    if (rstA) begin\n      c <= 4'd0;");
    expect(d.verilog).toContain("always @(posedge clkB or negedge rstBn) begin\n    if (!rstBn) begin\n      seen <= 4'd3;");
    expect(d.domainClocks).toEqual(["clkA", "clkB"]);
    expect(d.clock).toBeUndefined();
  });
  it("instances inherit the domain: clock and reset connected, a reset module built for the domain's reset style", () => {
    expect(d.verilog).toMatch(/Synchronizer_width4_stages2 s \(.*\n\s+\.clock\(clkB\),/);
    expect(d.verilog).toMatch(/^module Count4_areset_resetn \(/m);
    expect(d.verilog).toContain("always @(posedge clock or negedge reset) begin\n    if (!reset) begin\n      c <= 4'd9;");
    expect(d.verilog).toMatch(/Count4_areset_resetn counter \(.*\n\s+\.clock\(clkB\),\n\s+\.reset\(rstBn\),/);
  });
  it("is clean in iverilog, Verilator and Yosys", () => expectCleanVerilog(d.verilog, d.top));
});

describe("clock domains in simulation", () => {
  for (const backend of ["iverilog", "verilator", "js"] as Backend[]) {
    it(`${backend}: domain clocks stepped by name; the synchroniser's two-edge delay; an asynchronous reset acts at once`, async () => {
      const sim = await simulate(elaborate(Two), { backend });
      try {
        // an asynchronous reset acts on its edge: inputs start at 0, so raise it first (a
        // two-state simulator such as Verilator sees no edge otherwise)
        sim.poke("rstBn", 1);
        await sim.step(0);
        sim.poke("rstA", 1); // synchronous: takes a clkA edge
        sim.poke("rstBn", 0); // asynchronous: takes none
        await sim.step(1, { clock: "clkA" });
        expect(await sim.peek("b")).toBe(3);
        sim.poke("rstA", 0);
        sim.poke("rstBn", 1);
        sim.poke("inc", 1);
        await sim.step(5, { clock: "clkA" });
        expect(await sim.peek("a")).toBe(5);
        expect(await sim.peek("b")).toBe(3); // no clkB edge since the reset
        // two synchroniser stages, then the register: the value arrives on the third clkB edge
        await sim.step(2, { clock: "clkB" });
        expect(await sim.tryPeek("b")).not.toBe(5);
        await sim.step(1, { clock: "clkB" });
        expect(await sim.peek("b")).toBe(5);
        expect(await sim.peek("k")).toBe(12); // 9 + three clkB edges with inc high
        sim.poke("rstBn", 0); // asynchronous: no clock edge needed
        expect(await sim.peek("b")).toBe(3);
        expect(await sim.peek("k")).toBe(9);
        sim.poke("rstBn", 1);
        // both clocks by period: clkA 3, clkB 7 over 42 time units -> 14 and 6 edges
        let edgesA = 0;
        const n = await sim.runClocks({ clkA: 3, clkB: 7 }, 42, (c) => {
          if (c === "clkA") edgesA++;
        });
        expect([n, edgesA]).toEqual([20, 14]);
        expect(await sim.peek("a")).toBe((5 + 14) % 16);
        await expect(sim.step(1, { clock: "clkC" })).rejects.toThrow(/has no clock input "clkC" \(clocks: clkA, clkB\)/);
      } finally {
        await sim.close();
      }
    });
  }
});

describe("clock-domain checks", () => {
  const errorOf = (def: Parameters<typeof elaborate>[0]): string => {
    try {
      elaborate(def as never);
    } catch (e) {
      if (e instanceof HdlError) return e.message;
      throw e;
    }
    throw new Error("elaboration succeeded");
  };
  it("a register of one domain read directly in another: both lines named", () => {
    const Crossing = defineModule("Crossing", () => {
      const clkA = Input(Bool());
      const clkB = Input(Bool());
      const x = Input(UInt(4));
      const y = Output(UInt(4));
      const A = clockDomain({ clock: clkA });
      const B = clockDomain({ clock: clkB });
      const ra = withClockDomain(A, () => {
        const r = Reg(UInt(4));
        r.assign(x);
        return r;
      });
      const mixed = ra.xor(x); // through combinational logic too
      withClockDomain(B, () => {
        const rb = Reg(UInt(4));
        rb.assign(mixed);
        y.assign(rb);
      });
      return { clkA, clkB, x, y };
    });
    const m = errorOf(Crossing);
    expect(m).toMatch(/^test\/core\/clock-domains\.test\.ts:\d+: register rb \(clock domain clkB\) reads register r of clock domain clkA \(test\/core\/clock-domains\.test\.ts:\d+\) directly: pass it through a Synchronizer or an AsyncFifo \(hdl\/lib\)/);
    expect(m).toMatch(/see also test\/core\/clock-domains\.test\.ts:\d+/);
  });
  it("an init value in a domain without a reset; a memory written in two domains; a 2-bit clock", () => {
    const NoReset = defineModule("NoReset", () => {
      const clk = Input(Bool());
      const y = Output(UInt(2));
      y.assign(withClockDomain(clockDomain({ clock: clk }), () => Reg(UInt(2), { init: 1 })));
      return { clk, y };
    });
    expect(errorOf(NoReset)).toMatch(/clock-domains\.test\.ts:\d+: register with an init value in clock domain clk, which has no reset: give the domain a reset or leave out init/);
    const TwoWriters = defineModule("TwoWriters", () => {
      const clk = Input(Bool());
      const y = Output(UInt(2));
      const m = Mem(4, UInt(2));
      m.write(0, 1);
      withClockDomain(clockDomain({ clock: clk }), () => m.write(1, 2));
      y.assign(m.readAsync(0));
      return { clk, y };
    });
    expect(errorOf(TwoWriters)).toMatch(/memory m is written in clock domain clk here and in \(implicit\) at test\/core\/clock-domains\.test\.ts:\d+: all write ports of a memory share one clock/);
    const Wide = defineModule("WideClock", () => {
      const clk = Input(UInt(2));
      const y = Output(UInt(2));
      clockDomain({ clock: clk });
      y.assign(clk);
      return { clk, y };
    });
    expect(errorOf(Wide)).toMatch(/clock-domains\.test\.ts:\d+: the clock of a clock domain must be 1 bit wide, got 2 bits/);
  });
});
