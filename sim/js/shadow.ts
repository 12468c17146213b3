/**
 * The shadow of every value when `checkUninitialised` is on: one JS number per value, 0 when the
 * value is known, else the origin (see `origins.ts`) of a never-written register, read port or
 * memory word it depends on. One flag per value, not per bit: a slice of a partly unknown value
 * is unknown. These helpers write the shadow of one operator from the shadows of its operands.
 */
import type { IrOp } from "../../hdl/core/ir.js";
import { log2Ceil } from "../../hdl/core/types.js";
import { ext, literalCode, type Operand } from "./repr.js";

/** The shadow code of a known value. */
export const KNOWN = "0";

/** Unknown when any of them is (the first unknown one's origin). */
export function anyUnknown(shadows: readonly string[]): string {
  const u = shadows.filter((c) => c !== KNOWN);
  if (u.length === 0) return KNOWN;
  if (u.length === 1) return u[0]!;
  return `(${u.join(" || ")})`;
}

/** A variable or a literal: cheap enough to read again in a shadow expression. */
function simple(code: string): boolean {
  return /^(?:[st]\d+|\d+n?)$/.test(code);
}

/**
 * The shadow of operator `e`: unknown when an operand is, except where a known operand decides
 * the result as four-state logic does: a mux passes only the selected arm's shadow (and is known
 * under an unknown select when both arms are known and equal), a known 0 decides `and`, a known
 * all-ones `or`. `memShadow()` names the shadow words of the memory an asynchronous read reads.
 */
export function shadowOpCode(e: IrOp, args: readonly Operand[], shadows: readonly string[], memShadow: () => string): string {
  const d = decided(e, args, shadows);
  return d ? `(${d.fixes} ? 0 : ${d.any})` : shadowOf(e, args, shadows, memShadow);
}

/**
 * For `and` / `or` with an unknown operand: the shadow without the rule (`any`) and when a known
 * operand decides the result (`fixes`), so that a statement can test `fixes` only when `any` is
 * not 0 (re-evaluating the operands on every settle costs more than the whole shadow).
 */
export function decided(e: IrOp, args: readonly Operand[], shadows: readonly string[]): { any: string; fixes: string } | undefined {
  if (e.op !== "and" && e.op !== "or") return undefined;
  const [ua, ub] = shadows;
  if (ua === KNOWN && ub === KNOWN) return undefined;
  const w = e.width;
  const fixes: string[] = [];
  for (const [x, ux] of [[args[0]!, ua!], [args[1]!, ub!]] as const) {
    // a 0 is 0 at any width; all-ones stays all-ones at the result's width if as wide or signed
    let value: string | undefined;
    if (e.op === "and") value = `${x.code} === ${literalCode(0n, x.width)}`;
    else if (x.width === w || x.signed) value = `${x.code} === ${literalCode(-1n, x.width)}`;
    if (value !== undefined) fixes.push(ux === KNOWN ? value : `(${ux} === 0 && ${value})`);
  }
  const any = anyUnknown([ua!, ub!]);
  return fixes.length === 0 ? undefined : { any, fixes: fixes.join(" || ") };
}

function shadowOf(e: IrOp, args: readonly Operand[], shadows: readonly string[], memShadow: () => string): string {
  const [a, b, c] = args;
  const [ua, ub, uc] = shadows;
  const w = e.width;
  switch (e.op) {
    case "mux": {
      const arms = ub === KNOWN && uc === KNOWN ? KNOWN : `(${a!.code} ? ${ub} : ${uc})`;
      if (ua === KNOWN) return arms;
      const same = simple(b!.code) && simple(c!.code) ? `${anyUnknown([ub!, uc!])} === 0 && ${ext(b!, w)} === ${ext(c!, w)} ? 0 : ` : "";
      return `(${ua} !== 0 ? (${same}${ua}) : ${arms})`;
    }
    case "memRead": {
      const word = `${memShadow()}[${ext(a!, log2Ceil(e.memory!.depth))}]`;
      return ua === KNOWN ? word : `(${ua} || ${word})`;
    }
    default:
      return anyUnknown(shadows);
  }
}
