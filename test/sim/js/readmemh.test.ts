/**
 * The JS backend's `$readmemh` reader: words, comments, `@address`, and its errors; a memory
 * whose file is missing is reported by name.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Input, Mem, Output, UInt, defineModule, elaborate } from "../../../hdl/core";
import { runBatch } from "../../../sim";
import { parseReadmemh } from "../../../sim/js/readmemh";

function read(text: string, depth = 8): Map<number, bigint> {
  const words = new Map<number, bigint>();
  parseReadmemh(text, "t.hex", depth, (a, v) => words.set(a, v));
  return words;
}

describe("backend js: $readmemh files", () => {
  it("reads hex words, skips comments, moves with @address", () => {
    expect([...read("0a // ten\n/* a\nblock */ ff\n@5 1_0 x1\n")]).toEqual([
      [0, 10n],
      [1, 255n],
      [5, 16n],
      [6, 1n],
    ]);
  });

  it("rejects what is not a word, a bad address and too many words", () => {
    expect(() => read("0g")).toThrow('t.hex: "0g" is not a hex word');
    expect(() => read("@zz 1")).toThrow('t.hex: bad address "@zz"');
    expect(() => read("1 2 3", 2)).toThrow("t.hex: more words than the memory's 2");
  });

  it("a memory's initFile is read from the working directory; a missing one is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jsmem-"));
    const file = join(dir, "rom.hex");
    writeFileSync(file, "11\n22\n33\n44\n");
    const M = defineModule("FileMem", (p: { f: string }) => {
      const a = Input(UInt(2));
      const y = Output(UInt(8));
      y.assign(Mem(4, UInt(8), { initFile: p.f, name: "rom" }).readAsync(a));
      return { a, y };
    });
    const got = await runBatch(elaborate(M, { f: file }), [0, 1, 2, 3].map((a) => ({ a })), { backend: "js" });
    expect(got.map((s) => s.y)).toEqual([0x11, 0x22, 0x33, 0x44]);
    await expect(runBatch(elaborate(M, { f: join(dir, "none.hex") }), [{ a: 0 }], { backend: "js" })).rejects.toThrow(
      new RegExp(`^memory rom: cannot read its \\$readmemh file ${join(dir, "none.hex").replace(/[.]/g, "\\.")}: ENOENT`),
    );
  });
});
