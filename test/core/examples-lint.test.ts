/**
 * Every example, run as the README says (`npx tsx examples/NAME.ts > NAME.v`), prints Verilog
 * that Icarus (`-Wall`), Verilator (`--lint-only -Wall`, under that file name, which is not the
 * module's) and Yosys accept without a warning; plus larger parameter sets of the same designs.
 * The folder is enumerated, so a new example cannot go unchecked.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { AdderTree } from "../../examples/adder-tree";
import { Fifo } from "../../examples/fifo";
import { expectCleanVerilog, iverilogWarnings, verilatorLint, yosysCheck } from "../helpers/verilog-tools";

const examples = readdirSync("examples").filter((f) => f.endsWith(".ts")).sort();

describe("npx tsx examples/NAME.ts > NAME.v is lint-clean", () => {
  it("finds the examples", () => {
    expect(examples).toEqual(["adder-tree.ts", "counter.ts", "fifo.ts", "pipeline-stage.ts"]);
  });
  for (const file of examples) {
    it(file, async () => {
      const r = spawnSync(process.execPath, ["--import", "tsx", `examples/${file}`], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const top = /^module (\w+)/m.exec([...r.stdout.matchAll(/^module (\w+)/gm)].at(-1)![0])![1]!;
      const name = file.replace(/\.ts$/, ".v");
      expect(iverilogWarnings(r.stdout, top, name)).toBe("");
      expect(verilatorLint(r.stdout, top, name)).toBe("");
      await yosysCheck(r.stdout, top);
    });
  }
});

describe("other parameter sets pass the three tools", () => {
  const designs = {
    fifoLarge: () => elaborate(Fifo, { width: 16, depth: 1024 }),
    adderTree: () => elaborate(AdderTree, { inputs: 7, width: 12, pipelined: false }),
    adderTreePipelined: () => elaborate(AdderTree, { inputs: 9, width: 8, pipelined: true }),
  };
  for (const [name, make] of Object.entries(designs)) {
    it(name, async () => {
      const d = make();
      await expectCleanVerilog(d.verilog, d.top);
    });
  }
});
