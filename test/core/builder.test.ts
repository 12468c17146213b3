/**
 * The builder records what the user wrote, checked here in its own currency: the printed IR
 * (`printIr`, stable text without locations), compared against expected text written by hand.
 */
import { describe, expect, it } from "vitest";
import {
  Bool, Enum, Input, Mem, Output, Reg, Rom, SInt, UInt, Vec, Wire, WireDefault, defineModule, elaborate, enumValue, printIr, switchOn, when,
} from "../../hdl/core";

describe("the builder's IR", () => {
  it("when / elsewhen / otherwise nest their branches; last connect comes last", () => {
    const Branches = defineModule("Branches", () => {
      const a = Input(Bool());
      const b = Input(Bool());
      const y = Output(UInt(2));
      y.assign(0);
      when(a, () => y.assign(1)).elsewhen(b, () => y.assign(2)).otherwise(() => y.assign(3));
      return { a, b, y };
    });
    expect(printIr(elaborate(Branches).ir)).toBe(`module Branches
  input a: u1
  input b: u1
  output y: u2
  body
    y := 0:u2
    when a
      y := 1:u2
    else
      when b
        y := 2:u2
      else
        y := 3:u2
`);
  });

  it("switchOn is a chain of equality tests; a dynamic Vec index is a mux chain", () => {
    const State = Enum("State", ["idle", "run", "done"]);
    const Switch = defineModule("Switch", () => {
      const sel = Input(UInt(2));
      const s = Output(State.type);
      const pick = Output(UInt(4));
      const table = Wire(Vec(3, UInt(4)));
      table.at(0).assign(5);
      table.at(1).assign(6);
      table.at(2).assign(7);
      s.assign(enumValue(State, "idle"));
      switchOn(sel).is(1, () => s.assign(enumValue(State, "run"))).is([2, 3], () => s.assign(enumValue(State, "done")));
      pick.assign(table.at(sel));
      return { sel, s, pick };
    });
    expect(printIr(elaborate(Switch).ir)).toBe(`module Switch
  input sel: u2
  output s: u2 (enum idle|run|done)
  output pick: u4
  wire table_0: u4
  wire table_1: u4
  wire table_2: u4
  body
    table_0 := 5:u4
    table_1 := 6:u4
    table_2 := 7:u4
    s := 0:u2
    when eq:u1(sel, 1:u1)
      s := 1:u2
    else
      when or:u1(eq:u1(sel, 2:u2), eq:u1(sel, 3:u2))
        s := 2:u2
    pick := mux:u4(eq:u1(sel, 0:u1), table_0, mux:u4(eq:u1(sel, 1:u1), table_1, table_2))
`);
  });

  it("registers keep init and enable; memory ports opened in a when are enabled by it", () => {
    const Store = defineModule("Store", () => {
      const we = Input(Bool());
      const addr = Input(UInt(3));
      const data = Input(SInt(8));
      const q = Output(SInt(8));
      const hits = Reg(UInt(4), { init: 0, enable: we });
      const mem = Mem(8, SInt(8));
      when(we, () => {
        mem.write(addr, data);
        hits.assign(hits.addWrap(1));
      });
      q.assign(mem.readSync(addr, { enable: we.not() }));
      return { we, addr, data, q };
    });
    expect(printIr(elaborate(Store).ir)).toBe(`module Store
  input clock: u1 (implicit clock)
  input reset: u1 (implicit reset)
  input we: u1
  input addr: u3
  input data: s8
  output q: s8
  reg hits: u4 (init 0, enable we)
  memRead mem_rdata: s8
  memory mem: 8 x s8
    read sync mem_rdata <= mem[addr] when not:u1(we)
    write mem[addr] <= data when we
  body
    when we
      hits := add:u4(hits, 1:u1)
    q := mem_rdata
`);
  });

  it("instances have ports on both sides; ROMs hold their contents; WireDefault connects first", () => {
    const Leaf = defineModule("Leaf", () => {
      const x = Input(UInt(2));
      const y = Output(UInt(4));
      const rom = Rom(UInt(4), [3, 1, 4, 1], { initAsFile: true });
      y.assign(rom.readAsync(x));
      return { x, y };
    });
    const Parent = defineModule("Parent", () => {
      const sel = Input(UInt(2));
      const out = Output(UInt(4));
      const leaf = Leaf.instance();
      leaf.x.assign(sel);
      const v = WireDefault(leaf.y);
      when(sel.eq(0), () => v.assign(9));
      out.assign(v);
      return { sel, out };
    });
    expect(printIr(elaborate(Parent).ir)).toBe(`module Leaf
  input x: u2
  output y: u4
  memory rom: 4 x u4, init 4 words as file
    read async rom[x]
  body
    y := memRead:u4(rom, x)

module Parent
  input sel: u2
  output out: u4
  instIn leaf_x: u2 (port x of leaf)
  instOut leaf_y: u4 (port y of leaf)
  wire v: u4
  instance leaf: Leaf
  body
    leaf_x := sel
    v := leaf_y
    when eq:u1(sel, 0:u1)
      v := 9:u4
    out := v
`);
  });
});
