/**
 * How the JS backend holds values: the raw bits of a value of up to 32 bits as a non-negative
 * JS number (bitwise operators apply), of 33 to 52 bits as a non-negative JS number too
 * (arithmetic is exact below 2^53; bitwise operators go through helpers), of 53 bits or more as
 * a non-negative bigint. These helpers write the JS expressions that extend, wrap and
 * reinterpret them (the rules are in hdl/core/README.md, "IR semantics").
 */

/** Widths up to this are 32-bit-friendly numbers. */
export const NUMBER_BITS = 32;
/** Widths up to this are numbers; above, bigints. */
export const MID_BITS = 52;

/** Held as a bigint. */
export const isWide = (width: number): boolean => width > MID_BITS;
/** Held as a number above 32 bits (no JS bitwise operators). */
export const isMid = (width: number): boolean => width > NUMBER_BITS && width <= MID_BITS;

/** A JS expression holding the raw bits of a value. */
export interface Operand {
  readonly code: string;
  readonly width: number;
  readonly signed: boolean;
}

/** 2^w as a JS number literal. */
export function pow2(w: number): string {
  return String(2 ** w);
}

function mask(w: number): string {
  return String(2 ** w - 1);
}

/** Helper functions the generated code calls for numbers of 33 to 52 bits. */
export const MID_HELPERS = [
  "function wm(x, p) { return x - Math.floor(x / p) * p; }",
  "function hiM(x) { return Math.floor(x / 4294967296); }",
  "function loM(x) { return x % 4294967296; }",
  "function andM(a, b) { return ((hiM(a) & hiM(b)) >>> 0) * 4294967296 + ((loM(a) & loM(b)) >>> 0); }",
  "function orM(a, b) { return ((hiM(a) | hiM(b)) >>> 0) * 4294967296 + ((loM(a) | loM(b)) >>> 0); }",
  "function xorM(a, b) { return ((hiM(a) ^ hiM(b)) >>> 0) * 4294967296 + ((loM(a) ^ loM(b)) >>> 0); }",
];

/** `code` (any integer-valued number expression) reduced to its low `w` bits (w <= 32). */
export function wrapNumber(code: string, w: number): string {
  return w === NUMBER_BITS ? `((${code}) >>> 0)` : `((${code}) & ${mask(w)})`;
}

/** `code` (an integer-valued number expression, |code| < 2^53) reduced to its low `w` bits (33 <= w <= 52). */
export function wrapMid(code: string, w: number): string {
  return `wm(${code}, ${pow2(w)})`;
}

/** `code` (a bigint expression) reduced to its low `w` bits. */
export function wrapBig(code: string, w: number): string {
  return `BigInt.asUintN(${w}, ${code})`;
}

/** The raw bits `code` of width `w`, as a signed value (a number for w <= 52, else a bigint). */
export function toSigned(code: string, w: number): string {
  if (isWide(w)) return `BigInt.asIntN(${w}, ${code})`;
  if (isMid(w)) return `(${code} >= ${pow2(w - 1)} ? ${code} - ${pow2(w)} : ${code})`;
  if (w === NUMBER_BITS) return `(${code} | 0)`;
  const k = NUMBER_BITS - w;
  return `((${code} << ${k}) >> ${k})`;
}

/** The raw bits of `x` extended (sign or zero fill) or truncated to `to` bits, in the representation of `to`. */
export function extend(x: Operand, to: number, signFill: boolean): string {
  const from = x.width;
  const c = x.code;
  if (isWide(from) || isWide(to)) {
    if (!isWide(from)) return signFill ? wrapBig(`BigInt(${toSigned(c, from)})`, to) : `BigInt(${c})`;
    if (!isWide(to)) return `Number(${wrapBig(c, to)})`;
    if (to < from) return wrapBig(c, to);
    return signFill && to > from ? wrapBig(toSigned(c, from), to) : c;
  }
  // both numbers
  if (to === from) return c;
  if (to < from) {
    if (isMid(from)) return to <= NUMBER_BITS ? wrapNumber(`${c} % 4294967296`, to) : `(${c} % ${pow2(to)})`;
    return wrapNumber(c, to);
  }
  if (!signFill) return c;
  if (!isMid(to)) return wrapNumber(toSigned(c, from), to);
  // to 33..52 bits: add the fill above the sign bit when it is set
  return `(${c} >= ${pow2(from - 1)} ? ${c} + ${2 ** to - 2 ** from} : ${c})`;
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
