/**
 * Run-time data for one compiled model: a memory declared with `initPlusarg` loads the
 * `$readmemh` file named by the simulation's `plusargs`, on both backends, and a second run of
 * the same design with another file sees the new contents (the Verilator build is reused).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Input, Mem, Output, UInt, defineModule, elaborate } from "../../hdl/core";
import { simulate, type Backend } from "../../sim/index";

const Table = defineModule("PlusargTable", () => {
  const addr = Input(UInt(3));
  const data = Output(UInt(12));
  const words = Mem(8, UInt(12), { initPlusarg: "table" });
  data.assign(words.readAsync(addr));
  return { addr, data };
});

describe("Mem initPlusarg", () => {
  const dir = mkdtempSync(join(tmpdir(), "plusarg-"));
  const file = (name: string, words: number[]): string => {
    const path = join(dir, name);
    writeFileSync(path, words.map((w) => w.toString(16)).join("\n") + "\n");
    return path;
  };
  const a = [1, 2, 3, 0xabc, 5, 6, 7, 0xfff];
  const b = a.map((w) => 0xfff - w);
  for (const backend of ["iverilog", "verilator", "js"] as Backend[]) {
    it(`${backend}: the file given at run time is the memory's contents`, async () => {
      const d = elaborate(Table, undefined);
      expect(d.verilog).toContain('$value$plusargs("table=%s", words_file)');
      for (const words of [a, b]) {
        const sim = await simulate(d, { backend, plusargs: { table: file(`${backend}-${words[0]}.hex`, words) } });
        try {
          const got = await sim.batch(words.map((_, k) => ({ addr: k })));
          expect(got.map((g) => g.data)).toEqual(words);
        } finally {
          await sim.close();
        }
      }
    });
  }

  it("rejects a second source of initial contents and a plusarg name that is not an identifier", () => {
    const Bad = (opts: object) =>
      defineModule("BadPlusarg", () => {
        const data = Output(UInt(4));
        data.assign(Mem(4, UInt(4), opts).readAsync(0));
        return { data };
      });
    expect(() => elaborate(Bad({ initPlusarg: "x", initFile: "f.hex" }), undefined)).toThrow(/test\/sim\/plusargs\.test\.ts:\d+: give at most one of init, initFile and initPlusarg/);
    expect(() => elaborate(Bad({ initPlusarg: "no spaces" }), undefined)).toThrow(/initPlusarg "no spaces" must be an identifier/);
  });
});
