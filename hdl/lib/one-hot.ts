/**
 * One-hot and priority helpers (combinational, plain functions over signals):
 *   UIntToOH(x, width)     1 << x as `width` bits (bits past the width are dropped)
 *   OHToUInt(oh)           the index of the set bit of a one-hot value (OR of the indices of set bits)
 *   PriorityEncoder(x)     the index of the lowest set bit (0 when none is set)
 *   PriorityEncoderOH(x)   the lowest set bit alone (x & -x)
 *   Mux1H(sel, values)     values[i] for the one set bit i of `sel` (an AND-OR: no priority,
 *                          garbage if more than one bit is set, 0 if none)
 *   PriorityMux(conds, values)  the value of the first true condition (the last value if none)
 *   MuxLookup(key, fallback, pairs)  the value paired with key's value (fallback if none matches)
 *   selectIndex(index, values)  values[index] through a chain of compares (past the end: the last)
 * Cost: each is one level of LUTs per bit of output and log2 of the inputs deep.
 */
import { Bool, UInt, cat, constant, log2Ceil, mux, replicate, requireArgument, type Signal } from "../core/index.js";
import { treeReduce } from "./tree.js";

export function UIntToOH(x: Signal, width: number): Signal {
  requireArgument(!x.signed, "UIntToOH: expects an unsigned value");
  const bits = Array.from({ length: width }, (_, i) => x.eq(i));
  return cat(...bits.reverse());
}

export function OHToUInt(oh: Signal): Signal {
  const w = log2Ceil(oh.width);
  const terms = Array.from({ length: oh.width }, (_, i) => mux(oh.bit(i), constant(i, UInt(w)), constant(0, UInt(w))));
  return treeReduce(terms, (a, b) => a.or(b));
}

export function PriorityEncoder(x: Signal): Signal {
  const w = log2Ceil(x.width);
  let out: Signal = constant(0, UInt(w));
  for (let i = x.width - 1; i >= 0; i--) out = mux(x.bit(i), constant(i, UInt(w)), out);
  return out;
}

export function PriorityEncoderOH(x: Signal): Signal {
  const bits: Signal[] = [];
  let seen: Signal = constant(0, Bool());
  for (let i = 0; i < x.width; i++) {
    bits.push(x.bit(i).and(seen.not()));
    seen = seen.or(x.bit(i));
  }
  return cat(...bits.reverse());
}

export function Mux1H(sel: Signal | readonly Signal[], values: readonly Signal[]): Signal {
  const bits = Array.isArray(sel) ? sel : Array.from({ length: (sel as Signal).width }, (_, i) => (sel as Signal).bit(i));
  requireArgument(bits.length === values.length, `Mux1H: ${bits.length} select bits for ${values.length} values`);
  const width = Math.max(...values.map((v) => v.width));
  const masked = values.map((v, i) => v.asUInt().zext(width).and(replicate(bits[i]!, width)));
  const out = treeReduce(masked, (a, b) => a.or(b));
  return values[0]!.signed ? out.asSInt() : out;
}

export function PriorityMux(conds: readonly Signal[], values: readonly Signal[]): Signal {
  requireArgument(conds.length === values.length && values.length > 0, `PriorityMux: ${conds.length} conditions for ${values.length} values`);
  let out = values[values.length - 1]!;
  for (let i = values.length - 2; i >= 0; i--) out = mux(conds[i]!, values[i]!, out);
  return out;
}

export function MuxLookup(key: Signal, fallback: Signal, pairs: readonly (readonly [number, Signal])[]): Signal {
  let out = fallback;
  for (let i = pairs.length - 1; i >= 0; i--) out = mux(key.eq(pairs[i]![0]), pairs[i]![1], out);
  return out;
}

export function selectIndex(index: Signal, values: readonly Signal[]): Signal {
  requireArgument(values.length > 0, "selectIndex: no values");
  return MuxLookup(index, values[values.length - 1]!, values.slice(0, -1).map((v, k) => [k, v] as const));
}
