/**
 * Names in the Verilog come from the TypeScript variables (found from the
 * call site with ts-morph), with explicit overrides, deterministic suffixes
 * for collisions and temporaries, and stable names across unrelated edits.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, Reg, UInt, Wire, defineModule, elaborate, type Signal, type Var } from "../../hdl/core";

function declared(verilog: string): string[] {
  return [...verilog.matchAll(/^\s*(?:input|output|wire|reg)\b[^;,]*?(\w+)\s*(?:[;,=]|\/\/|$)/gm)].map((m) => m[1]!);
}

describe("naming", () => {
  it("names signals after variables, properties and explicit names", () => {
    class Accumulator {
      readonly total: Var;
      constructor(width: number) {
        this.total = Reg(UInt(width), { init: 0 });
      }
    }
    const Named = defineModule("Named", () => {
      const enable = Input(Bool());
      const result = Output(UInt(9));
      const acc = new Accumulator(8);
      const pair = { low: Reg(UInt(8), { init: 1 }), high: Reg(UInt(8), { init: 2 }) };
      const custom = Wire(UInt(8), { name: "renamed" });
      const sum = pair.low.add(pair.high);
      custom.assign(acc.total);
      acc.total.assign(sum.trunc(8).named("truncated"));
      pair.low.assign(custom);
      pair.high.assign(pair.low);
      result.assign(enable.zext(9).addWrap(sum));
      return { enable, result };
    });
    const v = elaborate(Named).verilog;
    expect(declared(v)).toEqual(expect.arrayContaining(["enable", "result", "total", "low", "high", "renamed", "sum", "truncated"]));
    expect(v).toMatch(/wire \[8:0\] sum = low \+ high;|wire \[8:0\] sum = \{1'b0, low\} \+ \{1'b0, high\};/);
    expect(v).toMatch(/wire \[7:0\] truncated = sum\[7:0\];/);
  });

  it("gives colliding names deterministic suffixes and sanitises keywords", () => {
    const Taps = defineModule("Taps", () => {
      const x = Input(UInt(4));
      const y = Output(UInt(4));
      let prev: Signal = x;
      for (let i = 0; i < 3; i++) {
        const tap = Reg(UInt(4));
        tap.assign(prev);
        prev = tap;
      }
      const wire = Wire(UInt(4));
      wire.assign(prev);
      const inside = Wire(UInt(4)); // a SystemVerilog keyword
      inside.assign(wire);
      y.assign(inside);
      return { x, y };
    });
    const v = elaborate(Taps).verilog;
    expect(declared(v)).toEqual(["clock", "x", "y", "tap", "tap_1", "tap_2", "wire_", "inside_"]);
    expect(v).toContain("tap_1 <= tap;");
  });

  it("names unnamed intermediate values _T, _T_1, ... only where a wire is needed", () => {
    const Temps = defineModule("Temps", () => {
      const a = Input(UInt(8));
      const b = Input(UInt(8));
      const y = Output(UInt(4));
      const z = Output(UInt(10));
      y.assign(a.addWrap(b).bits(7, 4)); // a bit select needs a named operand
      const shared = a.add(b);
      z.assign(shared.add(shared.shr(1)));
      return { a, b, y, z };
    });
    const v = elaborate(Temps).verilog;
    expect(v).toContain("wire [7:0] _T = a + b;");
    expect(v).toContain("assign y = _T[7:4];");
    expect(v).toMatch(/wire \[8:0\] shared = /);
  });

  it("keeps names stable when an unrelated signal is added", () => {
    const make = (extra: boolean) =>
      defineModule("Stable", () => {
        const a = Input(UInt(8));
        const y = Output(UInt(8));
        if (extra) {
          const debug = Reg(UInt(8));
          debug.assign(a);
        }
        const stage = Reg(UInt(8));
        stage.assign(a);
        y.assign(stage);
        return { a, y };
      });
    const without = declared(elaborate(make(false)).verilog);
    const withExtra = declared(elaborate(make(true)).verilog);
    expect(without).toEqual(["clock", "a", "y", "stage"]);
    expect(withExtra).toEqual(["clock", "a", "y", "debug", "stage"]);
  });

  it("names instances after variables and modules after parameters", () => {
    const Leaf = defineModule("Leaf", (p: { taps: readonly number[] }) => {
      const x = Input(UInt(4));
      const y = Output(UInt(4));
      y.assign(x.xor(p.taps.length));
      return { x, y };
    });
    const Custom = defineModule("Custom", () => {
      const y = Output(Bool());
      y.assign(true);
      return { y };
    }, { moduleName: () => "MyCustomName" });
    const Parent = defineModule("Parent", () => {
      const x = Input(UInt(4));
      const y = Output(UInt(4));
      const c = Output(Bool());
      const filter = Leaf.instance({ taps: [1, 2, 3] });
      filter.x.assign(x);
      y.assign(filter.y);
      const flag = Custom.instance();
      c.assign(flag.y);
      return { x, y, c };
    });
    const v = elaborate(Parent).verilog;
    expect(v).toMatch(/^module Leaf_h[0-9a-f]{8} \(/m);
    expect(v).toMatch(/Leaf_h[0-9a-f]{8} filter \(/);
    expect(v).toContain("MyCustomName flag (");
    expect(v).toContain("wire [3:0] filter_y;");
  });

  it("is byte-for-byte deterministic", () => {
    const D = defineModule("D", (n: number) => {
      const a = Input(UInt(n));
      const y = Output(UInt(n + 1));
      y.assign(a.add(a.shr(1)));
      return { a, y };
    });
    expect(elaborate(D, 12).verilog).toBe(elaborate(D, 12).verilog);
    expect(elaborate(D, 12).verilog).toContain("module D_12 (");
  });
});
