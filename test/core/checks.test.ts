/**
 * Every elaboration check, triggered by a deliberately broken design; each
 * message must name the user's file and line (never hdl/core) and say what is wrong.
 */
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HdlError, elaborate, type ModuleDef } from "../../hdl/core";
import * as bad from "./fixtures/bad-designs";

const fixture = fileURLToPath(new URL("./fixtures/bad-designs.ts", import.meta.url));
const lines = fs.readFileSync(fixture, "utf8").split("\n");

/** `test/core/fixtures/bad-designs.ts:N` for the line marked `// ERR: name`. */
function site(name: string): string {
  const i = lines.findIndex((l) => l.endsWith(`// ERR: ${name}`));
  if (i < 0) throw new Error(`no marker ${name}`);
  return `test/core/fixtures/bad-designs.ts:${i + 1}`;
}

function errorOf(def: ModuleDef<undefined, unknown>): HdlError {
  try {
    elaborate(def);
  } catch (e) {
    if (e instanceof HdlError) return e;
    throw e;
  }
  throw new Error("elaboration succeeded but an error was expected");
}

const cases: [keyof typeof bad, RegExp][] = [
  ["dropsBits", /assigning UInt<9> to UInt<8> output y would drop 1 bit: truncate explicitly with \.trunc\(8\)/],
  ["undrivenOutput", /output y of module UndrivenOutput is never driven/],
  ["undrivenWire", /wire w of module UndrivenWire is never driven/],
  ["latch", /output y is not driven on every path \(it would be a latch\): give it a default before the when at test\/core\/fixtures\/bad-designs\.ts:\d+/],
  ["twoDrivers", /output y has two drivers: it is driven here and again at test\/core\/fixtures\/bad-designs\.ts:\d+ in the same block/],
  ["combLoop", /combinational loop: p -> q -> p/],
  ["drivesInput", /cannot drive input a: inputs are driven from outside the module/],
  ["outsideModule", /input a belongs to module OutsideModule and cannot be used in module Child: pass it through a port/],
  ["memAddrWidth", /address of memory m is 12 bits wide but the memory has 1024 words \(10 address bits\)/],
  ["memDataWidth", /writing UInt<12> into memory m of UInt<8> would drop 4 bits/],
  ["regInitTooWide", /register init value 20 does not fit in UInt<4>/],
  ["mixedSigns", /add: cannot mix SInt<4> and UInt<4>: convert one with \.asSInt\(\) or \.asUInt\(\)/],
  ["drivesInstanceOutput", /cannot drive output y of instance leaf: it is driven by the instance/],
];

describe("elaboration checks name the user's file:line", () => {
  for (const [name, message] of cases) {
    it(name, () => {
      const e = errorOf(bad[name] as ModuleDef<undefined, unknown>);
      expect(e.message.startsWith(`${site(name)}: `), e.message).toBe(true);
      expect(e.message).toMatch(message);
      expect(e.message).not.toMatch(/hdl\/core/);
    });
  }

  it("two drivers names both sites", () => {
    const e = errorOf(bad.twoDrivers as ModuleDef<undefined, unknown>);
    expect(e.message).toContain(`again at ${site("twoDriversSecond")}`);
  });

  it("reports every problem of a design at once", () => {
    const e = errorOf(bad.undrivenOutput as ModuleDef<undefined, unknown>);
    expect(e.message.split("\n")).toHaveLength(1);
  });
});
