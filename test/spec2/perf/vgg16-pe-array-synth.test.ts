/** The synthesis helper moves ROM contents to $readmemh files without changing a word. */
import { describe, expect, it } from "vitest";
import { Input, Output, Rom, UInt, defineModule, elaborate } from "../../../hdl/core";
import { splitInitialBlocks } from "../../../hdl/spec2/perf/vgg16-pe-array-synth";

describe("splitInitialBlocks", () => {
  it("writes each ROM's words to a hex file and reads it back with $readmemh", () => {
    const contents = [5, 0, 255, 17, 3];
    const R = defineModule("R", () => {
      const a = Input(UInt(3));
      const y = Output(UInt(8));
      const table = Rom(UInt(8), contents);
      y.assign(table.readAsync(a));
      return { a, y };
    });
    const { verilog, files } = splitInitialBlocks(elaborate(R).verilog, "/roms");
    expect([...files.keys()]).toEqual(["/roms/rom0.hex"]);
    expect(files.get("/roms/rom0.hex")!.trim().split("\n").map((h) => parseInt(h, 16))).toEqual(contents);
    expect(verilog).toContain('initial $readmemh("/roms/rom0.hex", table_);');
    expect(verilog).not.toMatch(/table_\[\d+\] =/);
  });
});
