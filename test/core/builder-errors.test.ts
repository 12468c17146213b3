/**
 * Bad arguments to the builder (widths, lengths, literals where a width is needed, module
 * names) are HdlErrors at the user's line, never a RangeError from inside the library. The
 * faulty line carries `// ERR: name`; the whole message is pinned.
 */
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Enum, HdlError, Input, Output, SInt, UInt, Vec, cat, defineModule, elaborate, replicate, type Signal } from "../../hdl/core";

const source = fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");

function site(name: string): string {
  const i = source.findIndex((l) => l.endsWith(`// ERR: ${name}`));
  if (i < 0) throw new Error(`no marker ${name}`);
  return `test/core/builder-errors.test.ts:${i + 1}`;
}

/** The error `body` raises inside a module body. */
function errorIn(body: (x: Signal) => void): HdlError {
  const M = defineModule("M", () => {
    const x = Input(UInt(4));
    body(x);
    return { x };
  });
  try {
    elaborate(M);
  } catch (e) {
    if (e instanceof HdlError) return e;
    throw new Error(`expected an HdlError, got ${String(e)}`);
  }
  throw new Error("elaboration succeeded");
}

const cases: [string, (x: Signal) => void, string][] = [
  ["UInt(0)", () => UInt(0), "UInt width must be a positive integer, got 0"], // ERR: UInt(0)
  ["UInt(-3)", () => UInt(-3), "UInt width must be a positive integer, got -3"], // ERR: UInt(-3)
  ["UInt(2.5)", () => UInt(2.5), "UInt width must be a positive integer, got 2.5"], // ERR: UInt(2.5)
  ["UInt(NaN)", () => UInt(NaN), "UInt width must be a positive integer, got NaN"], // ERR: UInt(NaN)
  ["UInt(Infinity)", () => UInt(Infinity), "UInt width must be a positive integer, got Infinity"], // ERR: UInt(Infinity)
  ["SInt(0)", () => SInt(0), "SInt width must be a positive integer, got 0"], // ERR: SInt(0)
  ["Vec(0, ...)", () => Vec(0, UInt(2)), "Vec length must be a positive integer, got 0"], // ERR: Vec(0, ...)
  ["Output(Vec(-1, ...))", () => Output(Vec(-1, UInt(2))), "Vec length must be a positive integer, got -1"], // ERR: Output(Vec(-1, ...))
  ["cat(1, x)", (x) => cat(1 as unknown as Signal, x), "cat() argument 1 must be a signal, got 1: give it a width with constant(1, UInt(w))"], // ERR: cat(1, x)
  ["replicate(3, 2)", () => replicate(3 as unknown as Signal, 2), "replicate() value must be a signal, got 3: give it a width with constant(3, UInt(w))"], // ERR: replicate(3, 2)
  ["x.add('1')", (x) => x.add("1" as unknown as number), "\"1\" is not a hardware value: use a signal, a number, a bigint or a boolean"], // ERR: x.add('1')
  ["Enum with no variants", () => Enum("E", []), "Enum E needs at least one variant"], // ERR: Enum with no variants
  ["Enum repeated", () => Enum("E", ["a", "b", "a"]), "Enum E lists the variant a twice"], // ERR: Enum repeated
];

describe("builder errors are HdlErrors at the user's line", () => {
  for (const [name, body, message] of cases) {
    it(name, () => {
      const e = errorIn(body);
      expect(e.message).toBe(`${site(name)}: ${message}`);
    });
  }

  it("an unknown enum variant names the valid ones", () => {
    const E = Enum("Colour", ["red", "green"]);
    expect(() => E.code("blue" as "red")).toThrow(new RegExp(`^${site("enum variant")}: Enum Colour has no variant blue: its variants are red, green$`)); // ERR: enum variant
  });

  it("module names: not an identifier, moduleName returning one that is not", () => {
    expect(() => defineModule("two words", () => ({}))).toThrow(new RegExp(`^${site("defineModule name")}: "two words" is not a valid Verilog module name: use letters, digits and _$`)); // ERR: defineModule name
    const Bad = defineModule("Bad", () => ({}), { moduleName: () => "a-b" });
    expect(() => elaborate(Bad)).toThrow(new RegExp(`^${site("moduleName")}: moduleName of Bad returned "a-b", which is not a Verilog identifier: use letters, digits and _$`)); // ERR: moduleName
  });
});
