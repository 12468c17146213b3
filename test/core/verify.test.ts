/**
 * assert / assume / cover / printf (hdl/core/verify.ts): the IR they record, the guarded Verilog
 * (simulation block, formal block, nothing for synthesis), lint-clean output, and their builder
 * errors pinned at the user's line. Simulation of the checks: test/sim/assertions.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Bool, HdlError, Input, Output, UInt, assert, cover, defineModule, elaborate, printIr, printf, when, type Signal } from "../../hdl/core";
import { CheckedCounter } from "./fixtures/checked-counter";
import { markedLine } from "../helpers/markers";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const FIXTURE = "test/core/fixtures/checked-counter.ts";
const THIS = "test/core/verify.test.ts";

describe("verification statements", () => {
  it("records each statement with its when-conditions in the IR", () => {
    const ir = printIr(elaborate(CheckedCounter, { limit: 6 }).ir);
    expect(ir).toContain(
      [
        '  printf "count %d -> %x", value, add:u4(value, 1:u1) when enable',
        '  assume neq:u1(value, 15:u4), "never wraps"',
        '  assert lt:u1(value, 6:u3), "count below 6"',
        '  cover eq:u1(value, 3:u2), "three"',
      ].join("\n"),
    );
  });

  it("lists them in the elaboration with the user's file:line", () => {
    const e = elaborate(CheckedCounter, { limit: 6 });
    expect(e.verification).toEqual([
      { index: 0, kind: "printf", message: "count %d -> %x", site: markedLine(FIXTURE, "CHECK", "printf"), module: "CheckedCounter_limit6" },
      { index: 1, kind: "assume", message: "never wraps", site: markedLine(FIXTURE, "CHECK", "assume"), module: "CheckedCounter_limit6" },
      { index: 2, kind: "assert", message: "count below 6", site: markedLine(FIXTURE, "CHECK", "assert"), module: "CheckedCounter_limit6" },
      { index: 3, kind: "cover", message: "three", site: markedLine(FIXTURE, "CHECK", "cover"), module: "CheckedCounter_limit6" },
    ]);
  });

  it("emits a simulation block and a formal block, both out of synthesis' sight", () => {
    const v = elaborate(CheckedCounter, { limit: 6 }).verilog;
    const sim = v.slice(v.indexOf("`ifndef SYNTHESIS"), v.indexOf("`ifdef FORMAL"));
    const formal = v.slice(v.indexOf("`ifdef FORMAL"), v.indexOf("endmodule"));
    expect(sim).toContain(`if (enable) $display("count %0d -> %0h", value, value + 4'd1); // ${markedLine(FIXTURE, "CHECK", "printf")}`);
    expect(sim).toContain(`if (!(value < 4'd6)) $display("@A 2 %0d %m", sim_cycle); // ${markedLine(FIXTURE, "CHECK", "assert")}`);
    expect(sim).toContain("if (!reset) begin");
    expect(formal).toContain(
      [
        "  wire check_1_ok = reset || (value != 4'd15);",
        "  wire check_2_ok = reset || (value < 4'd6);",
        "  wire cover_3_now = !reset && (value == 4'd3);",
        "  always @(*) begin",
        `    assume (check_1_ok); // check 1: ${markedLine(FIXTURE, "CHECK", "assume")}`,
        `    assert (check_2_ok); // check 2: ${markedLine(FIXTURE, "CHECK", "assert")}`,
        `    cover (cover_3_now); // check 3: ${markedLine(FIXTURE, "CHECK", "cover")}`,
        "  end",
      ].join("\n"),
    );
    expect(formal).not.toContain("$display");
  });

  it("gives a module without state a clock and reset for its checks", () => {
    const Comb = defineModule("Comb", () => {
      const a = Input(UInt(4));
      const y = Output(UInt(4));
      assert(a.neq(9), "a is never 9");
      y.assign(a);
      return { a, y };
    });
    const e = elaborate(Comb);
    expect(e.clock).toBe("clock");
    expect(e.reset).toBe("reset");
  });

  it("is accepted without warnings by Icarus, Verilator -Wall and Yosys", async () => {
    const e = elaborate(CheckedCounter, { limit: 6 });
    await expectCleanVerilog(e.verilog, e.top);
  });
});

/** The HdlError `body` raises inside a module body. */
function errorIn(body: (x: Signal) => void): string {
  const M = defineModule("M", () => {
    const x = Input(UInt(4));
    const y = Output(Bool());
    y.assign(x.eq(1));
    body(x);
    return { x, y };
  });
  try {
    elaborate(M);
  } catch (e) {
    if (e instanceof HdlError) return e.message;
    throw e;
  }
  throw new Error("expected an HdlError");
}

describe("builder errors", () => {
  it("names the user's line", () => {
    function wide(x: Signal): void {
      assert(x, "wide"); // ERR: wide
    }
    expect(errorIn(wide)).toBe(`${markedLine(THIS, "ERR", "wide")}: assert condition must be 1 bit wide, got UInt<4>`);
    const noMessage = (x: Signal): void => {
      assert(x.eq(0), ""); // ERR: empty
    };
    expect(errorIn(noMessage)).toBe(`${markedLine(THIS, "ERR", "empty")}: assert message must be a non-empty string, got ""`);
    const quoted = (x: Signal): void => {
      cover(x.eq(0), 'say "hi"'); // ERR: quoted
    };
    expect(errorIn(quoted)).toBe(`${markedLine(THIS, "ERR", "quoted")}: cover name "say \\"hi\\"" must not contain quotes, backslashes or line breaks`);
    const count = (x: Signal): void => {
      printf("x=%d y=%d", x); // ERR: count
    };
    expect(errorIn(count)).toBe(`${markedLine(THIS, "ERR", "count")}: printf format "x=%d y=%d" has 2 conversions but 1 value was given`);
    const conversion = (x: Signal): void => {
      printf("x=%s", x); // ERR: conversion
    };
    expect(errorIn(conversion)).toBe(`${markedLine(THIS, "ERR", "conversion")}: printf format "x=%s": unknown conversion %s (use %d, %x, %b, %c or %%)`);
    const at = (x: Signal): void => {
      when(x.eq(2), () => printf("@x %d", x)); // ERR: at
    };
    expect(errorIn(at)).toBe(`${markedLine(THIS, "ERR", "at")}: printf format "@x %d" must not start with "@" (the simulators' protocol uses such lines)`);
  });

  it("rejects a check outside a module body", () => {
    expect(() => assert(true, "outside")).toThrow(/assert\(\) can only be used inside a module body/);
  });
});
