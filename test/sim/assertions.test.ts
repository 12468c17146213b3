/**
 * The design's own checks in simulation, on both simulators: a failed assert stops the run with
 * SimAssertionError naming the user's file:line, the message and the cycle (per step and in a
 * batch); printf lines reach the testbench; covers are recorded when first reached.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Reg, SInt, UInt, defineModule, elaborate, printf, when } from "../../hdl/core";
import { SimAssertionError, simulate, type Backend } from "../../sim/index";
import { CheckedCounter } from "../core/fixtures/checked-counter";
import { markedLine } from "../helpers/markers";

const FIXTURE = "test/core/fixtures/checked-counter.ts";

describe.each<Backend>(["iverilog", "verilator", "js"])("checks on %s", (backend) => {
  it("stops at a failed assertion, naming the line, the message and the cycle", async () => {
    const sim = await simulate(elaborate(CheckedCounter, { limit: 6 }), { backend });
    try {
      await sim.reset(); // cycle 0 under reset; count 0 from cycle 1
      sim.poke("enable", 1);
      await sim.step(5); // counts 0..4 checked at cycles 1..5
      expect(await sim.peek("count")).toBe(5);
      // count 5 at cycle 6, 6 at cycle 7: the assertion fails on cycle 7's values
      const err = await sim.step(10).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SimAssertionError);
      const a = err as SimAssertionError;
      expect(a.cycle).toBe(7);
      expect(a.site).toBe(markedLine(FIXTURE, "CHECK", "assert"));
      expect(a.message).toMatch(new RegExp(`^${a.site}: assertion failed at cycle 7: count below 6 \\(in \\S+\\)$`));
      await expect(sim.peek("count")).rejects.toBe(err);
    } finally {
      await sim.close();
    }
  });

  it("prints printf lines to the testbench and records covers", async () => {
    const sim = await simulate(elaborate(CheckedCounter, { limit: 9 }), { backend });
    try {
      await sim.reset();
      sim.poke("enable", 1);
      await sim.step(4);
      sim.poke("enable", 0);
      await sim.step(2);
      expect(sim.output().filter((l) => l.startsWith("count"))).toEqual(["count 0 -> 1", "count 1 -> 2", "count 2 -> 3", "count 3 -> 4"]);
      expect(sim.covers().map(({ name, site, cycle }) => ({ name, site, cycle }))).toEqual([{ name: "three", site: markedLine(FIXTURE, "CHECK", "cover"), cycle: 4 }]);
    } finally {
      await sim.close();
    }
  });

  it("stops a batch at a failed assumption", async () => {
    const sim = await simulate(elaborate(CheckedCounter, { limit: 16 }), { backend });
    try {
      const run = sim.batch(Array.from({ length: 40 }, () => ({ enable: 1 })), { resetCycles: 1 });
      // count reaches 15 (the assumed-impossible value) on the 16th enabled cycle: cycle 16
      await expect(run).rejects.toThrow(new SimAssertionError("assume", markedLine(FIXTURE, "CHECK", "assume"), "never wraps", 16, "x").message.replace(" (in x)", ""));
      await expect(run).rejects.toBeInstanceOf(SimAssertionError);
    } finally {
      await sim.close();
    }
  });
});

/** Every printf conversion, on signed and unsigned values of several widths. */
const Formats = defineModule("PrintfFormats", () => {
  const go = Input(Bool());
  const u = Reg(UInt(12), { init: 0xa5c });
  const neg = Reg(SInt(7), { init: -3 });
  const wide = Reg(UInt(70), { init: (1n << 69n) + 5n });
  u.assign(u.addWrap(1));
  when(go, () => printf("u %d %x %b | s %d %x | c %c | w %x %d %%", u, u, u, neg, neg, u, wide, wide));
  return { go };
});

describe("printf formats", () => {
  it("the JS backend prints what Icarus and Verilator print", async () => {
    const lines: Record<string, readonly string[]> = {};
    for (const backend of ["iverilog", "verilator", "js"] as const) {
      const sim = await simulate(elaborate(Formats, {}), { backend });
      try {
        await sim.reset();
        sim.poke("go", 1);
        await sim.step(2);
        lines[backend] = sim.output().filter((l) => l.startsWith("u "));
      } finally {
        await sim.close();
      }
    }
    expect(lines.iverilog).toEqual(["u 2652 a5c 101001011100 | s -3 7d | c \\ | w 200000000000000005 590295810358705651717 %", "u 2653 a5d 101001011101 | s -3 7d | c ] | w 200000000000000005 590295810358705651717 %"]);
    expect(lines.verilator).toEqual(lines.iverilog);
    expect(lines.js).toEqual(lines.iverilog);
  }, 120_000);
});
