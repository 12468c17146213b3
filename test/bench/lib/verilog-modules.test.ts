/**
 * bench/lib/verilog-modules.ts on a small elaborated hierarchy (a top with two instances of one
 * adder and one of a register stage, itself holding an adder): the module texts, the direct
 * instances with counts, the closure below a module, and the shell (a parent with its children
 * as black boxes), whose synthesis counts the parent's own flip-flops only.
 */
import { describe, expect, it } from "vitest";
import { Input, Output, Reg, UInt, defineModule, elaborate } from "../../../hdl/core";
import { blackBox, instancesIn, moduleBodies, moduleClosure, shellOf } from "../../../bench/lib/verilog-modules";
import { synthesize } from "../../../synth";

const Add = defineModule("Add", () => {
  const a = Input(UInt(8));
  const b = Input(UInt(8));
  const y = Output(UInt(8));
  y.assign(a.addWrap(b));
  return { a, b, y };
});

const Stage = defineModule("Stage", () => {
  const x = Input(UInt(8));
  const y = Output(UInt(8));
  const add = Add.instance(undefined);
  add.a.assign(x);
  add.b.assign(1);
  const r = Reg(UInt(8), { init: 0 });
  r.assign(add.y);
  y.assign(r);
  return { x, y };
});

const Top = defineModule("Top", () => {
  const x = Input(UInt(8));
  const y = Output(UInt(8));
  const first = Add.instance(undefined, { name: "first" });
  const second = Add.instance(undefined, { name: "second" });
  const stage = Stage.instance(undefined);
  first.a.assign(x);
  first.b.assign(x);
  second.a.assign(first.y);
  second.b.assign(3);
  stage.x.assign(second.y);
  const r = Reg(UInt(8), { init: 0 });
  r.assign(stage.y);
  y.assign(r);
  return { x, y };
});

describe("bench/lib/verilog-modules", () => {
  const d = elaborate(Top, undefined);
  const bodies = moduleBodies(d.verilog);

  it("finds every module's text, its direct instances with counts and the closure below it", () => {
    expect([...bodies.keys()].sort()).toEqual(["Add", "Stage", "Top"]);
    for (const [name, text] of bodies) {
      expect(text.startsWith(`module ${name} (`)).toBe(true);
      expect(text.trimEnd().endsWith("endmodule")).toBe(true);
    }
    expect([...instancesIn(bodies, "Top")]).toEqual([["Add", 2], ["Stage", 1]]);
    expect([...instancesIn(bodies, "Stage")]).toEqual([["Add", 1]]);
    expect(moduleClosure(bodies, "Stage").sort()).toEqual(["Add", "Stage"]);
    expect(() => instancesIn(bodies, "Nope")).toThrow("no module Nope in the Verilog");
  });

  it("the shell keeps the parent's logic and turns its children into black boxes", async () => {
    const shell = shellOf(bodies, ["Top"]);
    expect(shell).toContain(blackBox(bodies.get("Stage")!));
    expect(shell).not.toContain("endmodule\nmodule Add");
    const whole = await synthesize(d, { native: true });
    const alone = await synthesize(shell, { top: "Top", native: true });
    // Top's own register only; the whole has Stage's too
    expect([alone.ff, whole.ff]).toEqual([8, 16]);
  }, 120_000);
});
