/**
 * Elaboration speed on a large generated design: an adder tree with enough
 * inputs for over 100,000 IR nodes. Prints node count and the time to
 * elaborate (build + check + name) and emit.
 * `npx tsx bench/elaborate.ts [--inputs N]`
 */
import { parseArgs } from "node:util";
import { Input, Output, SInt, Vec, defineModule, elaborate, log2Ceil } from "../hdl/core";
import type { IrDesign, IrExpr, IrStmt } from "../hdl/core/ir";
import { sumTree } from "../examples/adder-tree";

const { values } = parseArgs({ options: { inputs: { type: "string", default: "65536" }, pipelined: { type: "boolean", default: false } } });
const inputs = Number(values.inputs);
if (!Number.isInteger(inputs) || inputs < 2) throw new Error(`--inputs must be an integer >= 2, got ${values.inputs}`);

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
      if (x.k === "op") stack.push(...x.args);
    }
  };
  const stmts = (list: readonly IrStmt[]): number =>
    list.reduce((n, s) => {
      if (s.k === "connect") expr(s.value);
      else expr(s.cond);
      return n + 1 + (s.k === "when" ? stmts(s.then) + stmts(s.otherwise) : 0);
    }, 0);
  let n = 0;
  for (const m of ir.modules) n += m.ports.length + m.signals.length + m.memories.length + m.instances.length + stmts(m.body);
  return n + seen.size;
}

const t0 = performance.now();
const design = elaborate(BigTree, { inputs, pipelined: values.pipelined });
const t1 = performance.now();
const nodes = countNodes(design.ir);
console.log(`adder tree: ${inputs} inputs${values.pipelined ? ", pipelined" : ""}`);
console.log(`IR nodes: ${nodes}`);
console.log(`Verilog: ${(design.verilog.length / 1e6).toFixed(1)} MB, ${design.verilog.split("\n").length} lines`);
console.log(`elaborate + check + name + emit: ${((t1 - t0) / 1000).toFixed(2)} s (${((nodes / (t1 - t0)) * 1000).toFixed(0)} nodes/s)`);
