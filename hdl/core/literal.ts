/** Literals: TypeScript numbers, bigints and booleans used as hardware constants. */
import { HdlError } from "./errors.js";
import type { IrLit } from "./ir.js";
import { userLocation } from "./source.js";

export type Literal = number | bigint | boolean;

export function toBigInt(v: Literal): bigint {
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new HdlError(userLocation(), `literal ${v} is not a safe integer: use a bigint`);
    return BigInt(v);
  }
  if (typeof v !== "bigint") throw new HdlError(userLocation(), `${JSON.stringify(v) ?? String(v)} is not a hardware value: use a signal, a number, a bigint or a boolean`);
  return v;
}

/** Bits needed to hold `v` unsigned (at least 1). */
export function unsignedBits(v: bigint): number {
  return v <= 1n ? 1 : v.toString(2).length;
}

/** Bits needed to hold `v` in two's complement (at least 1). */
export function signedBits(v: bigint): number {
  // A value and its one's complement (-v - 1) need the same number of bits.
  const magnitude = v >= 0n ? v : -v - 1n;
  return magnitude === 0n ? 1 : magnitude.toString(2).length + 1;
}

/** True if `v` is representable in `width` bits of the given signedness. */
export function fits(v: bigint, width: number, signed: boolean): boolean {
  if (signed) return v >= -(1n << BigInt(width - 1)) && v < 1n << BigInt(width - 1);
  return v >= 0n && v < 1n << BigInt(width);
}

export function makeLit(value: bigint, width: number, signed: boolean): IrLit {
  return { k: "lit", value, width, signed };
}

/** The minimal literal of the given signedness. */
export function minimalLit(v: Literal, signed: boolean): IrLit {
  const value = toBigInt(v);
  if (!signed && value < 0n) {
    throw new HdlError(userLocation(), `negative literal ${value} used with an unsigned operand: convert the operand with .asSInt() or use a signed type`);
  }
  return makeLit(value, signed ? signedBits(value) : unsignedBits(value), signed);
}
