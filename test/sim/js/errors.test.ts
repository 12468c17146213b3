/**
 * The JS backend's errors: what it cannot simulate (Verilog-only designs, blackboxes), and the
 * testbench API's usage errors and cycle limit with the same messages as the other backends.
 */
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, Reg, UInt, defineBlackbox, defineModule, elaborate, implicitClock, when } from "../../../hdl/core";
import { SimCycleLimitError, SimUsageError, runBatch, simulate } from "../../../sim";
import { counter } from "../fixtures";

const Count = defineModule("Count", () => {
  const en = Input(Bool());
  const step = Input(UInt(8));
  const count = Output(UInt(8));
  const wide = Output(UInt(80));
  const r = Reg(UInt(8), { init: 0 });
  when(en, () => r.assign(r.addWrap(step)));
  count.assign(r);
  wide.assign(r.zext(80));
  return { en, step, count, wide };
});

describe("backend js: errors", () => {
  it("a design given only as Verilog is rejected, naming the other backends", async () => {
    await expect(simulate(counter, { backend: "js" })).rejects.toThrow(
      'backend "js" simulates designs elaborated from TypeScript (it reads their IR); counter has only Verilog: use "iverilog" or "verilator"',
    );
  });

  it("a blackbox cannot be simulated", async () => {
    const Box = defineBlackbox("delay_line", () => ({ clk: Input(UInt(1)), d: Input(UInt(8)), q: Output(UInt(8)) }), {
      verilog: "module delay_line (input clk, input [7:0] d, output reg [7:0] q);\n  always @(posedge clk) q <= d;\nendmodule\n",
    });
    const Top = defineModule("WithBox", () => {
      const x = Input(UInt(8));
      const y = Output(UInt(8));
      const line = Box.instance();
      line.clk.assign(implicitClock());
      line.d.assign(x);
      y.assign(line.q);
      return { x, y };
    });
    await expect(simulate(elaborate(Top), { backend: "js" })).rejects.toThrow(
      'backend "js" cannot simulate the blackbox delay_line (instance line): use "iverilog" or "verilator"',
    );
  });

  it("API misuse is reported by name, as on the other backends", async () => {
    const sim = await simulate(elaborate(Count), { backend: "js" });
    try {
      expect(() => sim.poke("nope", 1)).toThrow('no port "nope" on Count; ports: clock, reset, en, step, count, wide');
      expect(() => sim.poke("count", 1)).toThrow('cannot poke output "count" of Count');
      expect(() => sim.poke("clock", 1)).toThrow('cannot poke the clock "clock": use step()');
      expect(() => sim.poke("step", 256)).toThrow('poke("step", 256): out of range for a 8-bit port, expected 0 .. 255');
      expect(() => sim.poke("step", -1)).toThrow(SimUsageError);
      expect(() => sim.poke("step", 1.5)).toThrow('poke("step", 1.5): value must be a safe integer or a bigint');
      await expect(sim.peek("nope")).rejects.toThrow('no port "nope" on Count');
      await expect(sim.peek("wide")).rejects.toThrow('port "wide" is 80 bits wide: use peekBig()');
      await expect(sim.step(1, { clock: "en" })).rejects.toThrow('step(1, { clock: "en" }): Count has no clock input "en" (clocks: clock)');
    } finally {
      await sim.close();
    }
    expect(() => sim.poke("en", 1)).toThrow("the simulation is closed");
    await expect(sim.peek("count")).rejects.toThrow("the simulation is closed");
  });

  it("a bad batch stimulus names the cycle and stops the session", async () => {
    const d = elaborate(Count);
    await expect(runBatch(d, [{ en: 1 }, { en: 1, nope: 3 }], { backend: "js" })).rejects.toThrow('batch cycle 1: "nope" is not a pokeable input of Count');
    await expect(runBatch(d, [{ step: 300 }], { backend: "js" })).rejects.toThrow('batch cycle 0: poke("step", 300): out of range for a 8-bit port, expected 0 .. 255');
  });

  it("exceeding maxCycles stops the simulation", async () => {
    const sim = await simulate(elaborate(Count), { backend: "js", maxCycles: 10 });
    await sim.reset();
    await sim.step(9);
    await expect(sim.step(1)).rejects.toThrow(SimCycleLimitError);
    await expect(sim.peek("count")).rejects.toThrow("cycle limit exceeded: 11 cycles requested, maxCycles is 10; the simulator was stopped");
    await sim.close();
    await expect(runBatch(elaborate(Count), new Array(20).fill({ en: 1 }), { backend: "js", maxCycles: 5 })).rejects.toThrow(/cycle limit exceeded: 20 cycles requested, maxCycles is 5/);
  });

  it("writes a VCD of every signal, with the clock toggling", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "jsvcd-")), "sub", "count.vcd");
    const sim = await simulate(elaborate(Count), { backend: "js", vcd: file });
    await sim.reset();
    sim.poke("en", 1);
    sim.poke("step", 3);
    await sim.step(2);
    await sim.close();
    const text = readFileSync(file, "utf8");
    expect(text).toContain("$scope module Count $end");
    expect(text).toMatch(/\$var wire 8 (\S+) count \[7:0\] \$end/);
    const code = /\$var wire 8 (\S+) count \[7:0\] \$end/.exec(text)![1]!;
    // count goes 0 -> 3 -> 6 on the two enabled edges.
    expect(text).toContain(`b11 ${code}\n`);
    expect(text).toContain(`b110 ${code}\n`);
    expect((text.match(/^#\d+$/gm) ?? []).length).toBeGreaterThan(4);
  });
});
