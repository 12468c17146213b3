/**
 * Module and port names that collide with Verilog: modules called after keywords (from
 * defineModule, moduleName or a wrapper) are escaped with a trailing `_` and Icarus accepts
 * them; a user port called `reset` or `clock` keeps its name and the implicit ports give way
 * (`reset_1`, `clock_1`), which the simulators' testbenches follow.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, Reg, UInt, defineModule, elaborate, when } from "../../hdl/core";
import { simulate } from "../../sim";
import { iverilogWarnings } from "../helpers/verilog-tools";

describe("modules named after Verilog keywords", () => {
  const Inner = defineModule("reg", () => {
    const a = Input(UInt(4));
    const y = Output(UInt(4));
    y.assign(a.not());
    return { a, y };
  });
  const Outer = defineModule("module", () => {
    const a = Input(UInt(4));
    const y = Output(UInt(4));
    const inner = Inner.instance();
    inner.a.assign(a);
    y.assign(inner.y);
    return { a, y };
  });
  const Chosen = defineModule("Chosen", () => {
    const a = Input(UInt(4));
    const y = Output(UInt(4));
    y.assign(a);
    return { a, y };
  }, { moduleName: () => "always_ff" });

  it("get a trailing _ and compile in Icarus", async () => {
    const d = elaborate(Outer);
    expect(d.top).toBe("module_");
    expect(d.verilog).toMatch(/^module reg_ \(/m);
    expect(d.verilog).toMatch(/^ {2}reg_ inner \(/m);
    expect(iverilogWarnings(d.verilog, d.top)).toBe("");
    const sim = await simulate(d);
    sim.poke("a", 5);
    expect(await sim.peek("y")).toBe(10);
    await sim.close();
    expect(elaborate(Chosen).top).toBe("always_ff_");
  });
});

describe("user ports called clock or reset", () => {
  const Clear = defineModule("Clear", () => {
    const reset = Input(Bool()); // the design's own reset: clears the count without the implicit one
    const clock = Input(Bool()); // the design's own clock enable, despite the name
    const count = Output(UInt(8));
    const n = Reg(UInt(8), { init: 7 });
    when(reset, () => n.assign(0)).elsewhen(clock, () => n.assign(n.addWrap(1)));
    count.assign(n);
    return { reset, clock, count };
  });

  it("keep their names; the implicit ports become clock_1 and reset_1", async () => {
    const d = elaborate(Clear);
    expect(d.ports.map((p) => p.name)).toEqual(["clock_1", "reset_1", "reset", "clock", "count"]);
    expect(d.clock).toBe("clock_1");
    expect(d.reset).toBe("reset_1");
    expect(d.verilog).toContain("always @(posedge clock_1) begin");
    expect(d.verilog).toContain("if (reset_1) begin");
    const sim = await simulate(d);
    await sim.reset(); // drives reset_1
    expect(await sim.peek("count")).toBe(7);
    sim.poke("clock", 1);
    await sim.step(3);
    expect(await sim.peek("count")).toBe(10);
    sim.poke("reset", 1);
    await sim.step();
    expect(await sim.peek("count")).toBe(0);
    await sim.close();
  });

  it("an instance's implicit ports connect to the parent's, whatever they are called", async () => {
    const Top = defineModule("Top", () => {
      const reset = Input(Bool());
      const count = Output(UInt(8));
      const child = Clear.instance();
      child.reset.assign(reset);
      child.clock.assign(1);
      count.assign(child.count);
      return { reset, count };
    });
    const d = elaborate(Top);
    expect(d.verilog).toMatch(/\.clock_1\(clock\),\n\s+\.reset_1\(reset_1\),\n\s+\.reset\(child_reset\)/);
    const sim = await simulate(d);
    await sim.reset();
    await sim.step(2);
    expect(await sim.peek("count")).toBe(9);
    await sim.close();
  });
});
