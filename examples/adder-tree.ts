/**
 * A parameterised generator: the sum of N inputs as a balanced tree of
 * widening adders, optionally with a register after every level. Plain
 * TypeScript recursion builds the hardware.
 * `npx tsx examples/adder-tree.ts > tree.v`
 */
import { Input, Output, RegNext, SInt, Vec, defineModule, elaborate, isMain, log2Ceil, printVerilog, type Elaboration, type Signal } from "../hdl/core";

export interface AdderTreeParams {
  readonly inputs: number;
  readonly width: number;
  /** Register after each level of adders. */
  readonly pipelined: boolean;
}

/** Sums `values` pairwise, level by level. */
export function sumTree(values: readonly Signal[], pipelined: boolean): Signal {
  let level = values;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(level[i]!.add(level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = pipelined ? next.map((s) => RegNext(s)) : next;
  }
  return level[0]!;
}

export const AdderTree = defineModule("AdderTree", (p: AdderTreeParams) => {
  const terms = Input(Vec(p.inputs, SInt(p.width)));
  const sum = Output(SInt(p.width + log2Ceil(p.inputs)));
  sum.assign(sumTree([...terms], p.pipelined).resize(sum.width));
  return { terms, sum };
});

/** The design this file prints, and the one `npx tsx synth/report.ts examples/adder-tree.ts` reports on. */
export const design = (): Elaboration => elaborate(AdderTree, { inputs: 8, width: 16, pipelined: false });

if (isMain(import.meta.url)) printVerilog(design);
