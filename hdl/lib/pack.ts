/**
 * Packing values of any hardware type into one UInt and back, for storage that holds words
 * (memories, queues): leaves in declaration order (bundle fields, then vector elements), the
 * first leaf in the most significant bits.
 */
import { VecValue, cat, type HdlType, type Signal, type Var } from "../core/index.js";

/** The ground leaves of a value, in order. */
export function leaves(value: unknown): Var[] {
  if (value instanceof VecValue) return value.elements.flatMap((e) => leaves(e));
  if (typeof value === "object" && value !== null && "assign" in value) return [value as Var];
  return Object.values(value as Record<string, unknown>).flatMap((v) => leaves(v));
}

/** Bits of a type. */
export function typeWidth(t: HdlType): number {
  if (t.kind === "uint" || t.kind === "sint") return t.width;
  if (t.kind === "vec") return t.length * typeWidth(t.elem);
  return Object.values(t.fields).reduce((s, f) => s + typeWidth(f.kind === "flip" ? f.type : f), 0);
}

export function pack(value: unknown): Signal {
  const ls = leaves(value);
  return ls.length === 1 ? ls[0]!.asUInt() : cat(...ls.map((l) => l.asUInt()));
}

/** Drives the leaves of `target` from the packed word `w`. */
export function unpackInto(w: Signal, target: unknown): void {
  let hi = w.width - 1;
  for (const l of leaves(target)) {
    const part = w.bits(hi, hi - l.width + 1);
    l.assign(l.signed ? part.asSInt() : part);
    hi -= l.width;
  }
}
