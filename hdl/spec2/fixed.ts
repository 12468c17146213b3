/**
 * Fixed-point arithmetic in hardware, mirroring spectral/fixed/primitives.ts
 * operation for operation so the RTL is bit-exact with the golden model.
 */
import { Bundle, SInt, constant, mux, type BundleType, type SIntType, type Signal } from "../core";

/** A complex value as two signed signals. */
export interface Complex {
  readonly re: Signal;
  readonly im: Signal;
}

export type ComplexType = BundleType<{ re: SIntType; im: SIntType }>;

/** The hardware type of a complex word with `bits`-bit real and imaginary parts. */
export function ComplexT(bits: number): ComplexType {
  return Bundle({ re: SInt(bits), im: SInt(bits) });
}

/**
 * `floor((x + 2^(s-1)) / 2^s)`: arithmetic right shift rounding half up
 * (golden: roundShift). `s = 0` returns `x`. Result width `w + 1 - s` (at least 1).
 */
export function roundShift(x: Signal, s: number): Signal {
  if (!x.signed) throw new RangeError("roundShift expects a signed value");
  if (s === 0) return x;
  return x.add(constant(1n << BigInt(s - 1), SInt(s + 1))).shr(s);
}

/** Clamps a signed value to `bits` bits (golden: saturate). */
export function saturate(x: Signal, bits: number): Signal {
  if (!x.signed) throw new RangeError("saturate expects a signed value");
  if (x.width <= bits) return x.pad(bits);
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -(1n << BigInt(bits - 1));
  const high = x.gt(constant(max, SInt(bits)));
  const low = x.lt(constant(min, SInt(bits)));
  return mux(high, constant(max, SInt(bits)), mux(low, constant(min, SInt(bits)), x.trunc(bits)));
}

/** Exact complex product: (ar*br - ai*bi, ar*bi + ai*br). */
export function complexMul(a: Complex, b: Complex): Complex {
  return { re: a.re.mul(b.re).sub(a.im.mul(b.im)), im: a.re.mul(b.im).add(a.im.mul(b.re)) };
}

/** Exact complex sum and difference. */
export function complexAdd(a: Complex, b: Complex): Complex {
  return { re: a.re.add(b.re), im: a.im.add(b.im) };
}

export function complexSub(a: Complex, b: Complex): Complex {
  return { re: a.re.sub(b.re), im: a.im.sub(b.im) };
}

/** Applies `f` to both parts. */
export function mapComplex(c: Complex, f: (x: Signal) => Signal): Complex {
  return { re: f(c.re), im: f(c.im) };
}
