/**
 * Small combinational building blocks of the PE array: a balanced select tree, a constant
 * multiplier as shifts and adds, and a balanced adder tree.
 */
import { mux, type Signal } from "../core";

/** values[idx] as a balanced mux tree on the bits of idx (idx < values.length assumed). */
export function selectTree(values: readonly Signal[], idx: Signal): Signal {
  if (values.length === 0) throw new RangeError("selectTree: no values");
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

/**
 * x * c for a constant c >= 1 as a sum of shifted copies of x (never a multiplier: Yosys would
 * otherwise be free to spend a DSP on it). Width: x.width + bits of c.
 */
export function mulConst(x: Signal, c: number): Signal {
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`mulConst: constant must be a positive integer, got ${c}`);
  const terms: Signal[] = [];
  for (let k = 0; 2 ** k <= c; k++) if (Math.floor(c / 2 ** k) % 2 === 1) terms.push(k === 0 ? x : x.shl(k));
  return sumTree(terms).resize(x.width + Math.floor(Math.log2(c)) + 1);
}

/** The exact sum of `terms` as a balanced tree of widening adds. */
export function sumTree(terms: readonly Signal[]): Signal {
  if (terms.length === 0) throw new RangeError("sumTree: no terms");
  let level = terms;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) next.push(level[j]!.add(level[j + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}
