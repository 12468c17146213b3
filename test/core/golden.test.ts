/**
 * Golden Verilog for small designs, written out by hand: the exact text a
 * reader gets (layout, names, comments, explicit extensions).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Input, Output, Reg, SInt, UInt, defineModule, elaborate, mux, when } from "../../hdl/core";
import { Counter } from "../../examples/counter";

/** Every file starts with it: module names need not match the file's name. */
const WAIVER = "/* verilator lint_off DECLFILENAME */\n\n";

describe("golden Verilog", () => {
  it("counter", () => {
    expect(elaborate(Counter, { width: 4 }).verilog).toBe(
      `${WAIVER}// Counter_width4: generated from examples/counter.ts:7, parameters {"width":4}
module Counter_width4 (
  input wire clock,
  input wire reset,
  input wire enable, // examples/counter.ts:8
  output wire [3:0] count, // examples/counter.ts:9
  output wire wrapped // examples/counter.ts:10
);
  reg [3:0] value; // examples/counter.ts:12

  assign count = value;
  assign wrapped = enable & (&value);
  always @(posedge clock) begin
    if (reset) begin
      value <= 4'd0;
    end else begin
      if (enable) begin
        value <= value + 4'd1;
      end
    end
  end
endmodule
`,
    );
  });

  it("signed datapath with extension, mux and a register without reset", () => {
    const Mac = defineModule("Mac", () => {
      const a = Input(SInt(4));
      const b = Input(SInt(4));
      const clear = Input(UInt(1));
      const acc = Output(SInt(10));
      const product = a.mul(b);
      const total = Reg(SInt(10));
      when(clear, () => total.assign(0)).otherwise(() => total.assign(total.addWrap(product)));
      acc.assign(mux(clear, 0, total));
      return { a, b, clear, acc };
    });
    const line = (n: number): string => `test/core/golden.test.ts:${n}`;
    const at = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").findIndex((l) => l.includes("const Mac = defineModule")) + 1;
    expect(elaborate(Mac).verilog).toBe(
      `${WAIVER}// Mac: generated from ${line(at)}
module Mac (
  input wire clock,
  input wire signed [3:0] a, // ${line(at + 1)}
  input wire signed [3:0] b, // ${line(at + 2)}
  input wire clear, // ${line(at + 3)}
  output wire signed [9:0] acc // ${line(at + 4)}
);
  reg signed [9:0] total; // ${line(at + 6)}
  wire signed [7:0] product = $signed({{4{a[3]}}, a}) * $signed({{4{b[3]}}, b}); // ${line(at + 5)}

  assign acc = clear ? 10'sd0 : total;
  always @(posedge clock) begin
    if (clear) begin
      total <= 10'sd0;
    end else begin
      total <= total + $signed({{2{product[7]}}, product});
    end
  end
endmodule
`,
    );
  });
});
