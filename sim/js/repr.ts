/**
 * How the JS backend holds values: the raw bits of a value of up to 32 bits as a non-negative
 * JS number, of a wider one as a non-negative bigint. These helpers write the JS expressions
 * that extend, wrap and reinterpret them (the rules are in hdl/core/README.md, "IR semantics").
 */

/** Widths above this are bigints. */
export const NUMBER_BITS = 32;

export const isWide = (width: number): boolean => width > NUMBER_BITS;

/** A JS expression holding the raw bits of a value. */
export interface Operand {
  readonly code: string;
  readonly width: number;
  readonly signed: boolean;
}

function mask(w: number): string {
  return String(2 ** w - 1);
}

/** `code` (any integer-valued number expression) reduced to its low `w` bits (w <= 32). */
export function wrapNumber(code: string, w: number): string {
  return w === NUMBER_BITS ? `((${code}) >>> 0)` : `((${code}) & ${mask(w)})`;
}

/** `code` (a bigint expression) reduced to its low `w` bits. */
export function wrapBig(code: string, w: number): string {
  return `BigInt.asUintN(${w}, ${code})`;
}

/** The raw bits `code` of width `w`, as a signed value (a number for w <= 32, else a bigint). */
export function toSigned(code: string, w: number): string {
  if (isWide(w)) return `BigInt.asIntN(${w}, ${code})`;
  if (w === NUMBER_BITS) return `(${code} | 0)`;
  const k = NUMBER_BITS - w;
  return `((${code} << ${k}) >> ${k})`;
}

/** The raw bits of `x` extended (sign or zero fill) or truncated to `to` bits, in the representation of `to`. */
export function extend(x: Operand, to: number, signFill: boolean): string {
  const from = x.width;
  const c = x.code;
  if (!isWide(from) && !isWide(to)) {
    if (to === from) return c;
    if (to < from) return wrapNumber(c, to);
    return signFill ? wrapNumber(toSigned(c, from), to) : c;
  }
  if (!isWide(from)) return signFill ? wrapBig(`BigInt(${toSigned(c, from)})`, to) : `BigInt(${c})`;
  if (!isWide(to)) return `Number(${wrapBig(c, to)})`;
  if (to < from) return wrapBig(c, to);
  return signFill && to > from ? wrapBig(toSigned(c, from), to) : c;
}

/** `x` extended to `to` bits by its own signedness (the rule for every operand). */
export function ext(x: Operand, to: number): string {
  return extend(x, to, x.signed);
}

/** A constant's raw bits of width `w`. */
export function literalCode(value: bigint, w: number): string {
  const bits = value & ((1n << BigInt(w)) - 1n);
  return isWide(w) ? `${bits}n` : String(Number(bits));
}

/** The initial (all-zero) value of a variable of width `w`. */
export function zeroCode(w: number): string {
  return isWide(w) ? "0n" : "0";
}

/** A JS expression turning the raw bits `code` of width `w` into a number (w <= 53) or bigint, signed if asked. */
export function toUser(code: string, w: number, signed: boolean): string {
  const v = signed ? toSigned(code, w) : code;
  return isWide(w) && w <= 53 ? `Number(${v})` : v;
}
