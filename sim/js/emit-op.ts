/**
 * The JS expression of one IR operator, from the expressions of its operands: the operator's
 * meaning as written in hdl/core/README.md ("IR semantics"), on raw bits held as numbers
 * (up to 52 bits; see repr.ts) or bigints (wider).
 */
import type { IrOp } from "../../hdl/core/ir.js";
import { log2Ceil } from "../../hdl/core/types.js";
import { NUMBER_BITS, ext, extend, isMid, isWide, literalCode, pow2, toSigned, wrapBig, wrapMid, wrapNumber, type Operand } from "./repr.js";

/** The result of a bigint computation as the representation of width `w`. */
function fromBig(code: string, w: number): string {
  return isWide(w) ? wrapBig(code, w) : `Number(${wrapBig(code, w)})`;
}

/** An operand as a bigint (its raw bits extended to `w`). */
function asBig(x: Operand, w: number): string {
  const e = ext(x, w);
  return isWide(w) ? e : `BigInt(${e})`;
}

/** `memory()` names the array of the memory an asynchronous read reads. */
export function opCode(e: IrOp, args: readonly Operand[], memory: () => string): string {
  const [a, b, c] = args;
  const w = e.width;
  const wide = isWide(w);
  const mid = isMid(w);
  const wrap = (code: string): string => (wide ? wrapBig(code, w) : mid ? wrapMid(code, w) : wrapNumber(code, w));
  switch (e.op) {
    case "add":
      return mid ? `((${ext(a!, w)} + ${ext(b!, w)}) % ${pow2(w)})` : wrap(`${ext(a!, w)} + ${ext(b!, w)}`);
    case "sub": return wrap(`${ext(a!, w)} - ${ext(b!, w)}`);
    case "mul":
      if (wide) return wrap(`${ext(a!, w)} * ${ext(b!, w)}`);
      if (mid) return fromBig(`${asBig(a!, w)} * ${asBig(b!, w)}`, w);
      return wrapNumber(`Math.imul(${ext(a!, w)}, ${ext(b!, w)})`, w);
    case "and": return bitwise("&", "andM", a!, b!, w);
    case "or": return bitwise("|", "orM", a!, b!, w);
    case "xor": return bitwise("^", "xorM", a!, b!, w);
    case "not": return mid ? `(${mask(w)} - ${ext(a!, w)})` : wrap(`~${ext(a!, w)}`);
    case "neg": return wrap(`-${ext(a!, w)}`);
    case "eq": return compare("===", a!, b!);
    case "neq": return compare("!==", a!, b!);
    case "lt": return compare("<", a!, b!);
    case "le": return compare("<=", a!, b!);
    case "gt": return compare(">", a!, b!);
    case "ge": return compare(">=", a!, b!);
    case "andr": return `(${a!.code} === ${literalCode(-1n, a!.width)} ? 1 : 0)`;
    case "orr": return `(${a!.code} ${isWide(a!.width) ? "!== 0n" : "!== 0"} ? 1 : 0)`;
    case "xorr":
      if (isWide(a!.width)) return `h.parityBig(${a!.code})`;
      if (isMid(a!.width)) return `(h.parity32(hiM(${a!.code})) ^ h.parity32(loM(${a!.code})))`;
      return `h.parity32(${a!.code})`;
    case "mux": return `(${a!.code} ? ${ext(b!, w)} : ${ext(c!, w)})`;
    case "cat": return cat(args, w);
    case "zext": return extend(a!, w, false);
    case "sext": return extend(a!, w, true);
    case "asUInt": case "asSInt": return extend(a!, w, false);
    case "slice": return slice(a!, e.params[0]!, e.params[1]!);
    case "shl": return shiftLeft(a!, e.params[0]!, w);
    case "shr": {
      const n = e.params[0]!;
      if (n >= a!.width && !a!.signed) return literalCode(0n, w);
      return slice(a!, a!.width - 1, Math.min(n, a!.width - 1));
    }
    case "dshl": {
      const amount = isWide(b!.width) ? `Number(${b!.code})` : b!.code;
      // w = wa + 2^wb - 1, so the amount never exceeds w.
      if (wide || mid) return fromBig(`${asBig(a!, w)} << BigInt(${amount})`, w);
      return `(${amount} >= ${NUMBER_BITS} ? 0 : ${wrapNumber(`${ext(a!, w)} << ${amount}`, w)})`;
    }
    case "dshr": return shiftRight(a!, b!, w);
    case "memRead": {
      const bits = log2Ceil(e.memory!.depth);
      return `${memory()}[${ext(a!, bits)}]`;
    }
  }
}

function mask(w: number): string {
  return String(2 ** w - 1);
}

function bitwise(op: string, helper: string, a: Operand, b: Operand, w: number): string {
  if (isMid(w)) return `${helper}(${ext(a, w)}, ${ext(b, w)})`;
  const code = `(${ext(a, w)} ${op} ${ext(b, w)})`;
  return !isWide(w) && w === NUMBER_BITS ? `(${code} >>> 0)` : code;
}

/** Comparisons at the wider operand's width; signed only when both operands are (as in Verilog). */
function compare(op: string, a: Operand, b: Operand): string {
  const cw = Math.max(a.width, b.width);
  let x = ext(a, cw);
  let y = ext(b, cw);
  if (a.signed && b.signed) {
    x = toSigned(x, cw);
    y = toSigned(y, cw);
  }
  return `(${x} ${op} ${y} ? 1 : 0)`;
}

/** Bits hi..lo of `a`, unsigned. */
function slice(a: Operand, hi: number, lo: number): string {
  const w = hi - lo + 1;
  if (isWide(a.width)) {
    const shifted = lo === 0 ? a.code : `(${a.code} >> ${lo}n)`;
    return fromBig(shifted, w);
  }
  if (lo === 0 && w === a.width) return a.code;
  if (isMid(a.width)) {
    const shifted = lo === 0 ? a.code : `Math.floor(${a.code} / ${pow2(lo)})`;
    return hi === a.width - 1 ? shifted : `(${shifted} % ${pow2(w)})`;
  }
  const shifted = lo === 0 ? a.code : `(${a.code} >>> ${lo})`;
  return w === NUMBER_BITS ? shifted : wrapNumber(shifted, w);
}

function shiftLeft(a: Operand, n: number, w: number): string {
  if (n === 0) return a.code;
  if (isWide(w)) return `(${isWide(a.width) ? a.code : `BigInt(${a.code})`} << ${n}n)`;
  if (isMid(w)) return `(${a.code} * ${pow2(n)})`;
  return wrapNumber(`${a.code} << ${n}`, w);
}

function shiftRight(a: Operand, b: Operand, w: number): string {
  const wa = a.width;
  if (isWide(wa)) {
    const amount = isWide(b.width) ? `(${b.code} > ${wa}n ? ${wa}n : ${b.code})` : `BigInt(${b.code} > ${wa} ? ${wa} : ${b.code})`;
    return a.signed ? wrapBig(`${toSigned(a.code, wa)} >> ${amount}`, w) : `(${a.code} >> ${amount})`;
  }
  if (isMid(wa)) {
    const amount = isWide(b.width) ? `Number(${b.code} > ${wa}n ? ${wa}n : ${b.code})` : `(${b.code} > ${wa} ? ${wa} : ${b.code})`;
    const q = `Math.floor(${a.signed ? toSigned(a.code, wa) : a.code} / Math.pow(2, ${amount}))`;
    return a.signed ? wrapMid(q, w) : q;
  }
  const amount = isWide(b.width) ? `Number(${b.code} > 31n ? 31n : ${b.code})` : `(${b.code} > 31 ? 31 : ${b.code})`;
  if (a.signed) return wrapNumber(`${toSigned(a.code, wa)} >> ${amount}`, w);
  const big = isWide(b.width) ? `${b.code} >= 32n` : `${b.code} >= 32`;
  return `(${big} ? 0 : (${a.code} >>> ${amount}))`;
}

/** Concatenation, the first operand in the top bits. */
function cat(args: readonly Operand[], w: number): string {
  let shift = w;
  const parts: string[] = [];
  for (const x of args) {
    shift -= x.width;
    if (isWide(w)) {
      const big = isWide(x.width) ? x.code : `BigInt(${x.code})`;
      parts.push(shift === 0 ? big : `(${big} << ${shift}n)`);
    } else if (isMid(w)) parts.push(shift === 0 ? x.code : `(${x.code} * ${pow2(shift)})`);
    else parts.push(shift === 0 ? x.code : `(${x.code} << ${shift})`);
  }
  if (isMid(w)) return `(${parts.join(" + ")})`;
  const joined = parts.join(" | ");
  return isWide(w) ? `(${joined})` : `((${joined}) >>> 0)`;
}
