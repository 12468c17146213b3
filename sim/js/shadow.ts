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
    case "and":
    case "or": {
      if (ua === KNOWN && ub === KNOWN) return KNOWN;
      const decides = literalCode(e.op === "and" ? 0n : -1n, w);
      const fixes: string[] = [];
      for (const [x, ux] of [[a!, ua!], [b!, ub!]] as const) {
        if (!simple(x.code)) continue;
        const value = `${ext(x, w)} === ${decides}`;
        fixes.push(ux === KNOWN ? value : `(${ux} === 0 && ${value})`);
      }
      const any = anyUnknown([ua!, ub!]);
      return fixes.length === 0 ? any : `(${fixes.join(" || ")} ? 0 : ${any})`;
    }
    case "memRead": {
      const word = `${memShadow()}[${ext(a!, log2Ceil(e.memory!.depth))}]`;
      return ua === KNOWN ? word : `(${ua} || ${word})`;
    }
    default:
      return anyUnknown(shadows);
  }
}
