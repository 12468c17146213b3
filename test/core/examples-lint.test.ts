import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { AdderTree } from "../../examples/adder-tree";
import { Counter } from "../../examples/counter";
import { Fifo } from "../../examples/fifo";
import { PipelineStage } from "../../examples/pipeline-stage";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const designs = {
  counter: () => elaborate(Counter, { width: 8 }),
  fifo: () => elaborate(Fifo, { width: 16, depth: 16 }),
  fifoLarge: () => elaborate(Fifo, { width: 16, depth: 1024 }),
  pipelineStage: () => elaborate(PipelineStage, { width: 32 }),
  adderTree: () => elaborate(AdderTree, { inputs: 7, width: 12, pipelined: false }),
  adderTreePipelined: () => elaborate(AdderTree, { inputs: 9, width: 8, pipelined: true }),
};

describe("examples pass iverilog -Wall, verilator --lint-only -Wall and yosys check -assert", () => {
  for (const [name, make] of Object.entries(designs)) {
    it(name, async () => {
      const d = make();
      expect(d.verilog).toContain(`module ${d.top}`);
      await expectCleanVerilog(d.verilog, d.top);
    });
  }
});
