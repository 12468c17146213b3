/**
 * Balanced trees over a list of signals (combinational): `treeReduce(values, op)` combines
 * neighbours level by level (depth ceil(log2 n)), `sumTree` is the exact sum (widening adds),
 * `selectTree(values, idx)` is values[idx] as a mux tree on the bits of idx, `PopCount(x)`
 * the number of set bits of x as an adder tree, and `mulConst(x, c)` a constant product as shifts and adds.
 */
import { mux, requireArgument, type Signal } from "../core/index.js";

export function treeReduce(values: readonly Signal[], op: (a: Signal, b: Signal) => Signal): Signal {
  requireArgument(values.length > 0, "treeReduce: no values");
  let level = values;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) next.push(op(level[j]!, level[j + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** The exact sum of `terms` (each add widens by one bit). */
export function sumTree(terms: readonly Signal[]): Signal {
  return treeReduce(terms, (a, b) => a.add(b));
}

/** values[idx] (idx < values.length assumed) as a balanced mux tree on the bits of idx. */
export function selectTree(values: readonly Signal[], idx: Signal): Signal {
  requireArgument(values.length > 0, "selectTree: no values");
  let level = values;
  let bit = 0;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) next.push(mux(idx.bit(bit), level[j + 1]!, level[j]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
    bit++;
  }
  return level[0]!;
}

/** The number of set bits of x: UInt(floor(log2 width) + 1). */
export function PopCount(x: Signal): Signal {
  const width = Math.floor(Math.log2(x.width)) + 1;
  const bits = Array.from({ length: x.width }, (_, i) => x.bit(i).zext(1));
  return sumTree(bits).resize(width);
}

/**
 * x * c for a constant c >= 1 as a sum of shifted copies of x (never a multiplier: synthesis
 * would otherwise be free to spend a DSP block on it). Width: x.width + floor(log2 c) + 1.
 */
export function mulConst(x: Signal, c: number): Signal {
  requireArgument(Number.isInteger(c) && c >= 1, `mulConst: the constant must be a positive integer, got ${c}`);
  const terms: Signal[] = [];
  for (let k = 0; 2 ** k <= c; k++) if (Math.floor(c / 2 ** k) % 2 === 1) terms.push(k === 0 ? x : x.shl(k));
  return sumTree(terms).resize(x.width + Math.floor(Math.log2(c)) + 1);
}
