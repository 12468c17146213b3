/**
 * Designs far larger or deeper than the examples elaborate without recursion limits and
 * simulate correctly: a 131,072-word ROM (inline and as a `$readmemh` file), a chain of 4,000
 * wires, `when` nested 3,000 deep, 20,000 chained operators, a 10,000-term expression without
 * names. Modules that contain each other are an error naming the modules and the sites; a
 * generator recursing past the call stack is an HdlError saying what to do.
 */
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Bool, HdlError, Input, Output, Rom, UInt, Wire, defineModule, elaborate, when, type ModuleDef, type Signal } from "../../hdl/core";
import { runCombinational } from "../helpers/comb-bench";

const source = fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
const site = (name: string): string => `test/core/large-designs.test.ts:${source.findIndex((l) => l.endsWith(`// AT: ${name}`)) + 1}`;

describe("large designs", () => {
  const words = 131_072;
  const contents = Array.from({ length: words }, (_, i) => (i * 40503) % 65536);
  const BigRom = (initAsFile: boolean): ModuleDef<undefined, unknown> =>
    defineModule("BigRom", () => {
      const addr = Input(UInt(17));
      const data = Output(UInt(16));
      const rom = Rom(UInt(16), contents, { initAsFile });
      data.assign(rom.readAsync(addr));
      return { addr, data };
    });

  it("a 131,072-word ROM emits inline, and as a $readmemh file with the same words", () => {
    const inline = elaborate(BigRom(false));
    expect(inline.verilog).toContain(`    rom[131071] = 16'd${contents[131071]};`);
    const file = elaborate(BigRom(true));
    expect(file.verilog).toContain('initial $readmemh("BigRom_rom.hex", rom);');
    expect(file.verilog).not.toContain("rom[0] =");
    const hex = file.files!["BigRom_rom.hex"]!.trimEnd().split("\n");
    expect(hex.map((h) => parseInt(h, 16))).toEqual(contents);
  });

  it("a chain of 4,000 wires", () => {
    const Chain = defineModule("Chain", () => {
      const a = Input(UInt(8));
      const y = Output(UInt(8));
      let prev: Signal = a;
      for (let i = 0; i < 4000; i++) {
        const w = Wire(UInt(8));
        w.assign(prev);
        prev = w;
      }
      y.assign(prev);
      return { a, y };
    });
    const d = elaborate(Chain);
    expect(d.verilog.match(/assign w_\d+ = w_\d+;/g)).toHaveLength(3998);
    expect(runCombinational(d, [{ a: 0x5an }, { a: 0xc3n }])).toEqual([{ y: 0x5an }, { y: 0xc3n }]);
  });

  it("a loop through 4,000 wires is reported, not a stack overflow", () => {
    const Loop = defineModule("Loop", () => {
      const y = Output(UInt(8));
      const first = Wire(UInt(8));
      let prev: Signal = first;
      for (let i = 0; i < 4000; i++) {
        const w = Wire(UInt(8));
        w.assign(prev);
        prev = w;
      }
      first.assign(prev);
      y.assign(prev);
      return { y };
    });
    expect(() => elaborate(Loop)).toThrow(
      /^test\/core\/large-designs\.test\.ts:\d+: combinational loop: first( -> w){12} -> \(3987 more\) -> w -> first\n {2}see also test\/core\/large-designs\.test\.ts:\d+$/,
    );
  });

  it("when nested 3,000 deep", () => {
    const depth = 3000;
    const Deep = defineModule("Deep", () => {
      const c = Input(UInt(2));
      const y = Output(UInt(2));
      y.assign(0);
      const nest = (k: number): void => {
        if (k === 0) y.assign(3);
        else when(c.bit(k % 2), () => nest(k - 1));
      };
      nest(depth);
      return { c, y };
    });
    const d = elaborate(Deep);
    expect(runCombinational(d, [{ c: 0n }, { c: 1n }, { c: 2n }, { c: 3n }])).toEqual([{ y: 0n }, { y: 0n }, { y: 0n }, { y: 3n }]);
  });

  it("20,000 chained operators and a 10,000-term expression without names", () => {
    const Sums = defineModule("Sums", () => {
      const a = Input(UInt(16));
      const chained = Output(UInt(16));
      const folded = Output(UInt(16));
      let acc: Signal = a;
      for (let i = 0; i < 20_000; i++) acc = acc.addWrap(3);
      chained.assign(acc);
      const terms: Signal[] = Array.from({ length: 10_000 }, () => a);
      folded.assign(terms.reduce((x, t) => x.addWrap(t)));
      return { a, chained, folded };
    });
    const d = elaborate(Sums);
    const a = 1234n;
    expect(runCombinational(d, [{ a }])).toEqual([{ chained: (a + 60_000n) % 65536n, folded: (a * 10_000n) % 65536n }]);
  });
});

describe("recursion in the design", () => {
  const Ping: ModuleDef<undefined, unknown> = defineModule("Ping", () => {
    const x = Input(Bool());
    const pong = Pong.instance(); // AT: ping
    pong.x.assign(x);
    return { x };
  });
  const Pong: ModuleDef<undefined, { x: Signal & { assign(v: Signal): void } }> = defineModule("Pong", () => {
    const x = Input(Bool());
    Ping.instance(); // AT: pong
    return { x };
  });

  it("two modules that instantiate each other: an error naming both and the sites", () => {
    const e = (() => {
      try {
        elaborate(Ping); // AT: top
      } catch (err) {
        return err as HdlError;
      }
      throw new Error("no error");
    })();
    expect(e).toBeInstanceOf(HdlError);
    expect(e.message).toBe(
      `${site("pong")}: module Pong instantiates Ping, which contains it: Ping -> Pong -> Ping would never end; a module cannot contain itself\n` +
        `  see also ${site("top")}\n  see also ${site("ping")}`,
    );
  });

  it("a generator instantiating itself with ever new parameters runs out of stack with an HdlError", () => {
    const Forever: ModuleDef<number, unknown> = defineModule("Forever", (n: number) => {
      const x = Input(Bool());
      Forever.instance(n + 1);
      return { x };
    });
    expect(() => elaborate(Forever, 0)).toThrow(
      /^test\/core\/large-designs\.test\.ts:\d+: elaboration ran out of call stack while building module Forever_\d+ \(Forever_0 -> Forever_1 -> .*\): the generator code nests too deep/,
    );
  });
});
