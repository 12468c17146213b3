/**
 * Elaboration speed on a large generated design: an adder tree with enough
 * inputs for over 100,000 IR nodes. Prints node count and the time to
 * elaborate (build + check + name) and emit.
 * `npx tsx bench/elaborate.ts [--inputs N]`
 */
import { Input, Output, SInt, Vec, defineModule, elaborate, isMain, log2Ceil, type IrDesign, type IrExpr, type IrStmt } from "../hdl/core";
import { integerOption, parseCommandLine, runMain } from "../hdl/core/cli";
import { forEachStatement } from "../hdl/core/walk";
import { sumTree } from "../examples/adder-tree";

const USAGE = `usage: npx tsx bench/elaborate.ts [--inputs N] [--pipelined]

Elaboration speed on a large adder tree: IR nodes, Verilog size, time to elaborate (build, check,
name) and emit, and the CPU time.

  --inputs N     terms of the tree (default 65536)
  --pipelined    a register after every level
  -h, --help     this text`;

const BigTree = defineModule("BigTree", (p: { inputs: number; pipelined: boolean }) => {
  const terms = Input(Vec(p.inputs, SInt(16)));
  const sum = Output(SInt(16 + log2Ceil(p.inputs)));
  sum.assign(sumTree([...terms], p.pipelined).resize(sum.width));
  return { terms, sum };
});

function countNodes(ir: IrDesign): number {
  const seen = new Set<IrExpr>();
  const expr = (e: IrExpr): void => {
    const stack = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x.k === "op") for (const a of x.args) stack.push(a);
    }
  };
  let n = 0;
  for (const m of ir.modules) {
    n += m.ports.length + m.signals.length + m.memories.length + m.instances.length;
    forEachStatement(m.body, (s: IrStmt) => {
      n++;
      expr(s.k === "connect" ? s.value : s.cond);
    });
  }
  return n + seen.size;
}

function main(): void {
  const cl = parseCommandLine({ usage: USAGE, options: { inputs: { type: "string" }, pipelined: { type: "boolean" } } });
  if (!cl) return;
  const inputs = integerOption(cl, "inputs", { min: 2, max: 1 << 22 }, 65536);
  const pipelined = cl.values.pipelined === true;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const design = elaborate(BigTree, { inputs, pipelined });
  const cpu = process.cpuUsage(c0);
  const t1 = performance.now();
  const nodes = countNodes(design.ir);
  console.log(`adder tree: ${inputs} inputs${pipelined ? ", pipelined" : ""}`);
  console.log(`IR nodes: ${nodes}`);
  console.log(`Verilog: ${(design.verilog.length / 1e6).toFixed(1)} MB, ${design.verilog.split("\n").length} lines`);
  console.log(`elaborate + check + name + emit: ${((t1 - t0) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (${((nodes / (t1 - t0)) * 1000).toFixed(0)} nodes/s)`);
}

if (isMain(import.meta.url)) runMain("elaborate", main);
